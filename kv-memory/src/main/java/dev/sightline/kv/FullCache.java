package dev.sightline.kv;

/** Keeps everything: the baseline to measure against. A session under it refuses blocks past its budget. */
final class FullCache implements CompressionPolicy {

    @Override
    public String name() {
        return "full";
    }

    @Override
    public boolean evicts() {
        return false;
    }

    @Override
    public float[] score(HeadView head) {
        return new float[head.size()];
    }
}
