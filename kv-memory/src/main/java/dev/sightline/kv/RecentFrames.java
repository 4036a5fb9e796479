package dev.sightline.kv;

import java.util.List;

/**
 * Keep the most recent frames whole, as many as fit: the strong simple baseline (a few recent frames answer most
 * streaming questions). Tokens with no frame (text) are kept newest first in runs of 16 in the same pass.
 */
final class RecentFrames implements CompressionPolicy {

    @Override
    public String name() {
        return "recent-frames";
    }

    @Override
    public float[] score(HeadView head) {
        float[] s = new float[head.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = i;   // newer slots are newer frames
        }
        return s;
    }

    @Override
    public void select(LayerView layer, int[] keep, boolean[][] kept) {
        for (int h = 0; h < layer.heads(); h++) {
            List<int[]> units = Units.of(layer.head(h), kept[h], 16);
            int left = keep[h];
            for (int u = units.size() - 1; u >= 0 && left > 0; u--) {
                int[] unit = units.get(u);
                if (unit.length > left) {
                    break;    // whole frames only: the newest ones that fit
                }
                Units.keep(unit, kept[h]);
                left -= unit.length;
            }
        }
    }
}
