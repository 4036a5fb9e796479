package dev.sightline.kv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for one query over a run of keys and values already decoded to floats (each page format
 * decodes its pages into the same float layout once per head and block, so one kernel serves every format and the
 * decode cost is shared by all the block's queries and the head's query group).
 */
final class AttentionKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private AttentionKernel() {
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float sum = 0;
        if (n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /** {@code y[yo..] += p * x[xo..]} over {@code n} floats. */
    static void axpy(float p, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        if (n >= S.length()) {
            FloatVector pv = FloatVector.broadcast(S, p);
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xo + i).fma(pv, FloatVector.fromArray(S, y, yo + i))
                        .intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] += p * x[xo + i];
        }
    }

    /**
     * Softmax attention of the query at {@code q[qo..qo+dim)} over the first {@code seen} keys and values
     * ({@code [token][dim]}), with {@code bias[t]} (log merged size) added to each logit. Leaves the probabilities in
     * {@code probs[0..seen)} and writes the output to {@code out[oo..oo+dim)}.
     */
    static void attend(float[] q, int qo, float[] k, float[] v, float[] bias, int seen, int dim, float scale,
                       float[] probs, float[] out, int oo) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < seen; t++) {
            float s = dot(q, qo, k, t * dim, dim) * scale + bias[t];
            probs[t] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int t = 0; t < seen; t++) {
            float e = (float) Math.exp(probs[t] - max);
            probs[t] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        java.util.Arrays.fill(out, oo, oo + dim, 0f);
        for (int t = 0; t < seen; t++) {
            float p = probs[t] * inv;
            probs[t] = p;
            axpy(p, v, t * dim, out, oo, dim);
        }
    }
}
