package dev.sightline.kv;

/** H2O: keep the tokens that have accumulated the most attention (heavy hitters); the recent window is protected. */
final class HeavyHitters implements CompressionPolicy {

    @Override
    public String name() {
        return "h2o";
    }

    @Override
    public boolean needsAttentionStats() {
        return true;
    }

    @Override
    public float[] score(HeadView head) {
        return java.util.Arrays.copyOf(head.accumulatedAttention(), head.size());
    }
}
