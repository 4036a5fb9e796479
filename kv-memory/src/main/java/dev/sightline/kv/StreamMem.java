package dev.sightline.kv;

import java.util.List;

/**
 * StreamMem: keep the tokens the proxy queries attend to most, and merge each frame's evicted tokens into one
 * attention-weighted prototype key/value (standing for all of them, through proportional attention).
 *
 * <p>Scores are the window attention statistics. For the paper's behaviour the runtime feeds the generic chat
 * template tokens ({@code <|im_end|><|im_start|>assistant\n}) through an {@link PagedKvSequence#overlay() overlay}
 * before the memory compresses, so the window is their attention; otherwise the window is the last queries of the
 * latest block. Each head reserves one slot per frame for its prototype, so the head stays within its target.
 */
final class StreamMem implements CompressionPolicy {

    @Override
    public String name() {
        return "streammem";
    }

    @Override
    public boolean needsAttentionStats() {
        return true;
    }

    @Override
    public float[] score(HeadView head) {
        return java.util.Arrays.copyOf(head.windowAttention(), head.size());
    }

    @Override
    public void select(LayerView layer, int[] keep, boolean[][] kept) {
        for (int h = 0; h < layer.heads(); h++) {
            HeadView head = layer.head(h);
            int frames = frameUnits(head, kept[h]).size();
            Selection.keepBest(score(head), head, Math.max(0, keep[h] - frames), kept[h]);
        }
    }

    @Override
    public void reclaim(LayerView layer, boolean[][] kept) {
        for (int h = 0; h < layer.heads(); h++) {
            HeadView head = layer.head(h);
            float[] w = head.windowAttention();
            int dim = head.headDim();
            // only the evicted slots' keys and values are used. A frame's evicted slots lie within a short stretch
            // (its own page or two), which is decoded in one go, sequentially: the stretch's bytes come in faster
            // than scattered single slots would, and stay in cache for the compaction that follows, which moves the
            // frame's kept slots. A unit spread far wider than its size is read slot by slot.
            float[] key = new float[dim];
            float[] value = new float[dim];
            float[] rows = new float[0];   // [slot][key | value]
            for (int[] unit : frameUnits(head, kept[h])) {
                double total = 0;
                for (int i : unit) {
                    total += w[i];
                }
                int from = unit[0];
                int span = unit[unit.length - 1] - from + 1;
                boolean stretch = span <= Math.max(64, 4 * unit.length);
                if (stretch) {
                    if (rows.length < span * 2 * dim) {
                        rows = new float[span * 2 * dim];
                    }
                    head.readRows(from, span, rows);
                }
                float[] k = new float[dim];
                float[] v = new float[dim];
                int best = unit[0];
                int merged = 0;
                for (int i : unit) {
                    float a = total > 0 ? (float) (w[i] / total) : 1f / unit.length;
                    if (stretch) {
                        AttentionKernel.axpy(a, rows, (i - from) * 2 * dim, k, 0, dim);
                        AttentionKernel.axpy(a, rows, (i - from) * 2 * dim + dim, v, 0, dim);
                    } else {
                        head.read(i, key, value);
                        AttentionKernel.axpy(a, key, 0, k, 0, dim);
                        AttentionKernel.axpy(a, value, 0, v, 0, dim);
                    }
                    if (w[i] >= w[best]) {
                        best = i;
                    }
                    merged += head.mergedSize(i);
                }
                head.replace(best, k, v, merged);
            }
        }
    }

    /** The evicted (not kept, not protected) slots of each frame. */
    private static List<int[]> frameUnits(HeadView head, boolean[] kept) {
        List<int[]> units = Units.of(head, kept, Integer.MAX_VALUE);
        units.removeIf(u -> head.token(u[0]).frameIndex() < 0);
        return units;
    }
}
