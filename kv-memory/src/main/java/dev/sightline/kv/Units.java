package dev.sightline.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
        // A unit's slots mostly come in one run (a frame's tokens arrive in one block), so the map from unit key to
        // unit is consulted only where the key changes, and slots go into plain int arrays, nothing boxed per slot.
        // Units are made in order of their first slot, which is the order they are returned in.
        Map<Long, Integer> index = new HashMap<>();
        List<int[]> slots = new ArrayList<>();
        int[] sizes = new int[16];
        long currentKey = 0;
        int current = -1;
        for (int i = 0; i < head.size(); i++) {
            if (kept[i] || head.isProtected(i)) {
                continue;
            }
            TokenInfo t = head.token(i);
            long key = t.frameIndex() >= 0
                    ? ((long) t.modality().ordinal() << 40) | t.frameIndex()
                    : -1 - (i / textChunk);
            if (current < 0 || key != currentKey) {
                currentKey = key;
                Integer u = index.get(key);
                if (u == null) {
                    u = slots.size();
                    index.put(key, u);
                    slots.add(new int[8]);
                    if (u == sizes.length) {
                        sizes = Arrays.copyOf(sizes, u * 2);
                    }
                }
                current = u;
            }
            int[] unit = slots.get(current);
            int n = sizes[current];
            if (n == unit.length) {
                unit = Arrays.copyOf(unit, n * 2);
                slots.set(current, unit);
            }
            unit[n] = i;
            sizes[current] = n + 1;
        }
        List<int[]> out = new ArrayList<>(slots.size());
        for (int u = 0; u < slots.size(); u++) {
            out.add(Arrays.copyOf(slots.get(u), sizes[u]));
        }
        return out;
    }

    /** Marks every slot of {@code unit}. */
    static void keep(int[] unit, boolean[] kept) {
        for (int i : unit) {
            kept[i] = true;
        }
    }
}
