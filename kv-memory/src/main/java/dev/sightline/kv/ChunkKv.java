package dev.sightline.kv;

import java.util.List;

/**
 * ChunkKV: keep or evict whole semantic chunks (a video frame or audio chunk, or runs of {@code textChunk} text
 * tokens) ranked by their mean score, so what survives is coherent pieces rather than scattered tokens.
 */
final class ChunkKv extends PolicyWrapper {

    private final int textChunk;

    ChunkKv(CompressionPolicy inner, int textChunk) {
        super("chunkkv", inner);
        if (textChunk < 1) {
            throw new IllegalArgumentException("ChunkKV text chunk must be >= 1, got " + textChunk);
        }
        this.textChunk = textChunk;
    }

    @Override
    public void select(LayerView layer, int[] keep, boolean[][] kept) {
        for (int h = 0; h < layer.heads(); h++) {
            HeadView head = layer.head(h);
            float[] s = score(head);
            List<int[]> units = Units.of(head, kept[h], textChunk);
            long[] order = new long[units.size()];
            for (int u = 0; u < units.size(); u++) {
                double sum = 0;
                for (int i : units.get(u)) {
                    sum += s[i];
                }
                order[u] = Selection.sortKey((float) (sum / units.get(u).length), u);
            }
            java.util.Arrays.sort(order);
            int left = keep[h];
            for (int j = order.length - 1; j >= 0 && left > 0; j--) {
                int[] unit = units.get((int) order[j]);
                if (unit.length <= left) {
                    Units.keep(unit, kept[h]);
                    left -= unit.length;
                }
            }
        }
    }
}
