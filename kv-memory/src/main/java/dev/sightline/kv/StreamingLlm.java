package dev.sightline.kv;

/** StreamingLLM: the first few tokens (attention sinks) plus the most recent ones. */
final class StreamingLlm implements CompressionPolicy {

    private final int sinks;

    StreamingLlm(int sinks) {
        if (sinks < 0) {
            throw new IllegalArgumentException("sinks must be >= 0, got " + sinks);
        }
        this.sinks = sinks;
    }

    @Override
    public String name() {
        return sinks == 4 ? "streaming-llm" : "streaming-llm-" + sinks;
    }

    @Override
    public float[] score(HeadView head) {
        float[] s = new float[head.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = i < sinks ? Float.MAX_VALUE : i;   // sinks first, then newest first
        }
        return s;
    }
}
