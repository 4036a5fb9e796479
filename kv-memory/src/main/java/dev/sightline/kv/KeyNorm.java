package dev.sightline.kv;

/**
 * KNorm: keys with a small L2 norm tend to draw more attention, so keep the smallest norms. The norms are computed
 * once when each token is stored, so a pass reads one float per slot and no page.
 */
final class KeyNorm implements CompressionPolicy {

    @Override
    public String name() {
        return "knorm";
    }

    @Override
    public boolean needsTokenNorms() {
        return true;
    }

    @Override
    public float[] score(HeadView head) {
        float[] norms = head.keyNorms();
        float[] s = new float[head.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = -norms[i];
        }
        return s;
    }
}
