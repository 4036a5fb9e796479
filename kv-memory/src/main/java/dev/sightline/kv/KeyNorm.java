package dev.sightline.kv;

/** KNorm: keys with a small L2 norm tend to draw more attention, so keep the smallest norms. */
final class KeyNorm implements CompressionPolicy {

    @Override
    public String name() {
        return "knorm";
    }

    @Override
    public float[] score(HeadView head) {
        float[] k = head.keys();
        int dim = head.headDim();
        float[] s = new float[head.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = -(float) Math.sqrt(AttentionKernel.dot(k, i * dim, k, i * dim, dim));
        }
        return s;
    }
}
