package dev.sightline.kv;

/** TOVA: keep the tokens the latest query attended to most. */
final class Tova implements CompressionPolicy {

    @Override
    public String name() {
        return "tova";
    }

    @Override
    public boolean needsAttentionStats() {
        return true;
    }

    @Override
    public float[] score(HeadView head) {
        return java.util.Arrays.copyOf(head.lastAttention(), head.size());
    }
}
