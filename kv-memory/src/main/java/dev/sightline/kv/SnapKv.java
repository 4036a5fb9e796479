package dev.sightline.kv;

/**
 * SnapKV: keep what the observation window attended to, smoothed over neighbouring slots (kernel 5) so whole
 * neighbourhoods survive. Query-aware when the window is a question fed through an overlay before compressing: an
 * upper bound to compare query-agnostic policies with, opt-in since it tailors the memory to one question.
 */
final class SnapKv implements CompressionPolicy {

    private static final int KERNEL = 5;

    @Override
    public String name() {
        return "snapkv";
    }

    @Override
    public boolean needsAttentionStats() {
        return true;
    }

    @Override
    public float[] score(HeadView head) {
        float[] w = head.windowAttention();
        int n = head.size();
        float[] s = new float[n];
        int half = KERNEL / 2;
        for (int i = 0; i < n; i++) {
            float sum = 0;
            int from = Math.max(0, i - half);
            int to = Math.min(n - 1, i + half);
            for (int j = from; j <= to; j++) {
                sum += w[j];
            }
            s[i] = sum / (to - from + 1);
        }
        return s;
    }
}
