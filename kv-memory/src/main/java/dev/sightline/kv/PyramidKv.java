package dev.sightline.kv;

/**
 * PyramidKV: lower layers spread attention widely and keep more; budgets fall linearly with depth from
 * {@code max} to {@code max/beta}, averaging the session's target.
 */
final class PyramidKv extends PolicyWrapper {

    private final double beta;

    PyramidKv(CompressionPolicy inner, double beta) {
        super("pyramidkv", inner);
        if (!(beta >= 1)) {
            throw new IllegalArgumentException("PyramidKV beta must be >= 1, got " + beta);
        }
        this.beta = beta;
    }

    @Override
    public int layerTarget(int layer, int layers, int target) {
        int base = inner.layerTarget(layer, layers, target);
        if (layers == 1) {
            return base;
        }
        double max = 2.0 * base / (1 + 1 / beta);
        double min = max / beta;
        return (int) Math.round(max - (max - min) * layer / (layers - 1));
    }
}
