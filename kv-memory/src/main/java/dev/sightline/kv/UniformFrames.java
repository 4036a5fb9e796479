package dev.sightline.kv;

import java.util.List;

/** Temporal subsampling: keep whole frames evenly spaced over the memory, as many as fit. */
final class UniformFrames implements CompressionPolicy {

    @Override
    public String name() {
        return "uniform-frames";
    }

    @Override
    public float[] score(HeadView head) {
        float[] s = new float[head.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = i;
        }
        return s;
    }

    @Override
    public void select(LayerView layer, int[] keep, boolean[][] kept) {
        for (int h = 0; h < layer.heads(); h++) {
            List<int[]> units = Units.of(layer.head(h), kept[h], 16);
            if (units.isEmpty() || keep[h] <= 0) {
                continue;
            }
            int total = 0;
            for (int[] u : units) {
                total += u.length;
            }
            double mean = (double) total / units.size();
            int frames = (int) Math.max(1, Math.min(units.size(), Math.floor(keep[h] / mean)));
            int left = keep[h];
            // evenly spaced picks, the newest included: index = last - round(j * step)
            double step = frames == 1 ? 0 : (double) (units.size() - 1) / (frames - 1);
            for (int j = 0; j < frames; j++) {
                int[] unit = units.get(units.size() - 1 - (int) Math.round(j * step));
                if (unit.length <= left && !kept[h][unit[0]]) {
                    Units.keep(unit, kept[h]);
                    left -= unit.length;
                }
            }
        }
    }
}
