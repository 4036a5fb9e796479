package dev.sightline.model;

/**
 * Full (non-causal) multi-head self-attention for the vision and audio encoders, which keep no cache: every token
 * attends to every token of the same image or audio window, with scale {@code 1/sqrt(headDim)}.
 *
 * <p>Per head, keys and values are first copied into contiguous {@code [n][headDim]} and {@code [headDim][n]}
 * blocks so scores and the weighted sum are two blocked matrix products rather than n^2 short strided dot products.
 */
final class EncoderAttention {

    private EncoderAttention() {
    }

    /** q, k, v and out are {@code [n][heads][headDim]}. */
    static void attend(float[] q, float[] k, float[] v, int n, int heads, int headDim, float[] out) {
        int dim = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] qh = new float[n * headDim];
        float[] kh = new float[n * headDim];
        float[] vt = new float[headDim * n];
        float[] scores = new float[n * n];
        float[] oh = new float[n * headDim];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                int src = i * dim + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    qh[i * headDim + d] = q[src + d] * scale;
                    kh[i * headDim + d] = k[src + d];
                    vt[d * n + i] = v[src + d];
                }
            }
            Matrix.of(kh, n, headDim).matmul(qh, n, scores);      // scores[i][j] = q_i . k_j
            Parallel.range(n, 16, (a, b) -> {
                for (int i = a; i < b; i++) {
                    VectorMath.softmax(scores, i * n, n);
                }
            });
            Matrix.of(vt, headDim, n).matmul(scores, n, oh);       // oh[i][d] = sum_j p_ij v_j[d]
            for (int i = 0; i < n; i++) {
                System.arraycopy(oh, i * headDim, out, i * dim + h * headDim, headDim);
            }
        }
    }
}
