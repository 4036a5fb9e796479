package dev.sightline.model;

/**
 * Full (non-causal) multi-head self-attention for the vision and audio encoders, which keep no cache: every token
 * attends to every token of the same image or audio window, with scale {@code 1/sqrt(headDim)}.
 */
final class EncoderAttention {

    private EncoderAttention() {
    }

    /** q, k, v and out are {@code [n][heads][headDim]}. */
    static void attend(float[] q, float[] k, float[] v, int n, int heads, int headDim, float[] out) {
        int dim = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Parallel.range(n * heads, 8, (a, b) -> {
            float[] scores = new float[n];
            for (int job = a; job < b; job++) {
                int h = job % heads;
                int i = job / heads;
                int qo = i * dim + h * headDim;
                for (int j = 0; j < n; j++) {
                    scores[j] = VectorMath.dot(q, qo, k, j * dim + h * headDim, headDim) * scale;
                }
                VectorMath.softmax(scores, 0, n);
                java.util.Arrays.fill(out, qo, qo + headDim, 0f);
                for (int j = 0; j < n; j++) {
                    VectorMath.axpy(scores[j], v, j * dim + h * headDim, out, qo, headDim);
                }
            }
        });
    }
}
