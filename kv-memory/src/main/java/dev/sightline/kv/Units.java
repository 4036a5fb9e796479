package dev.sightline.kv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups a head's candidate slots (not protected, not already kept) into units that are kept or evicted whole:
 * one unit per video frame or audio chunk, and runs of {@code textChunk} slots for tokens with no frame.
 * Units come in slot order.
 */
final class Units {

    private Units() {
    }

    static List<int[]> of(HeadView head, boolean[] kept, int textChunk) {
        Map<Long, List<Integer>> units = new LinkedHashMap<>();
        for (int i = 0; i < head.size(); i++) {
            if (kept[i] || head.isProtected(i)) {
                continue;
            }
            TokenInfo t = head.token(i);
            long key = t.frameIndex() >= 0
                    ? ((long) t.modality().ordinal() << 40) | t.frameIndex()
                    : -1 - (i / textChunk);
            units.computeIfAbsent(key, x -> new ArrayList<>()).add(i);
        }
        List<int[]> out = new ArrayList<>(units.size());
        for (List<Integer> u : units.values()) {
            out.add(u.stream().mapToInt(Integer::intValue).toArray());
        }
        out.sort((a, b) -> Integer.compare(a[0], b[0]));
        return out;
    }

    /** Marks every slot of {@code unit}. */
    static void keep(int[] unit, boolean[] kept) {
        for (int i : unit) {
            kept[i] = true;
        }
    }
}
