package dev.sightline.kv;

/** A policy around another: forwards everything, so a wrapper overrides only what it changes. */
abstract class PolicyWrapper implements CompressionPolicy {

    final CompressionPolicy inner;
    private final String prefix;

    PolicyWrapper(String prefix, CompressionPolicy inner) {
        this.prefix = prefix;
        this.inner = java.util.Objects.requireNonNull(inner, "inner policy");
    }

    @Override
    public String name() {
        return prefix + ":" + inner.name();
    }

    @Override
    public boolean evicts() {
        return inner.evicts();
    }

    @Override
    public boolean needsAttentionStats() {
        return inner.needsAttentionStats();
    }

    @Override
    public boolean needsTokenNorms() {
        return inner.needsTokenNorms();
    }

    @Override
    public int layerTarget(int layer, int layers, int target) {
        return inner.layerTarget(layer, layers, target);
    }

    @Override
    public float[] score(HeadView head) {
        return inner.score(head);
    }

    @Override
    public void select(LayerView layer, int[] keep, boolean[][] kept) {
        inner.select(layer, keep, kept);
    }

    @Override
    public void reclaim(LayerView layer, boolean[][] kept) {
        inner.reclaim(layer, kept);
    }
}
