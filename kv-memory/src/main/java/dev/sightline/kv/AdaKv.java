package dev.sightline.kv;

/**
 * AdaKV: one budget across a layer's heads instead of one per head. Each head first keeps a safeguard share
 * ({@code alpha} of its own budget) of its best tokens; the rest of the layer's budget goes to the best scores of
 * any head, so heads whose attention is concentrated give budget to heads whose attention is spread.
 */
final class AdaKv extends PolicyWrapper {

    private final double alpha;

    AdaKv(CompressionPolicy inner, double alpha) {
        super("adakv", inner);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("AdaKV safeguard alpha must be in [0,1], got " + alpha);
        }
        this.alpha = alpha;
    }

    @Override
    public void select(LayerView layer, int[] keep, boolean[][] kept) {
        int heads = layer.heads();
        float[][] scores = new float[heads][];
        int total = 0;
        int stride = 0;
        for (int h = 0; h < heads; h++) {
            HeadView head = layer.head(h);
            scores[h] = score(head);
            int guard = (int) Math.floor(alpha * keep[h]);
            Selection.keepBest(scores[h], head, guard, kept[h]);
            total += keep[h] - guard;
            stride = Math.max(stride, head.size());
        }
        int m = 0;
        long[] order = new long[heads * stride];
        for (int h = 0; h < heads; h++) {
            HeadView head = layer.head(h);
            for (int i = 0; i < head.size(); i++) {
                if (!kept[h][i] && !head.isProtected(i)) {
                    order[m++] = Selection.sortKey(scores[h][i], h * stride + i);
                }
            }
        }
        int from = Math.max(0, m - total);
        Selection.partitionTop(order, m, from);
        for (int j = m - 1; j >= from; j--) {
            int at = (int) order[j];
            kept[at / stride][at % stride] = true;
        }
    }
}
