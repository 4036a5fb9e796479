package dev.sightline.kv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for one query over a run of keys and values already decoded to floats (each page format
 * decodes its pages into the same float layout once per head and block, so one kernel serves every format and the
 * decode cost is shared by all the block's queries and the head's query group).
 */
final class AttentionKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] HALVES = java.util.stream.IntStream
            .iterate(S.length() / 2, half -> half >= 1, half -> half / 2)
            .mapToObj(half -> VectorShuffle.fromOp(S, i -> (i + half) % S.length()))
            .toArray(VectorShuffle[]::new);

    private AttentionKernel() {
    }

    /** The L2 norm of {@code a[ao..ao+n)}: what KNorm and InfiniPot-V's value norm rank by. */
    static float norm(float[] a, int ao, int n) {
        return (float) Math.sqrt(dot(a, ao, a, ao, n));
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
            sum = sumLanes(acc);
        }
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /**
     * Sums the lanes in a fixed order. {@code reduceLanes(ADD)} leaves the order open, and compiled and interpreted
     * code do use different orders, which would make a restored session differ from the original in the last bit.
     */
    static float sumLanes(FloatVector v) {
        // a fixed pairwise tree: add the upper half of the lanes onto the lower half until one lane is left
        for (VectorShuffle<Float> rotate : HALVES) {
            v = v.add(v.rearrange(rotate));
        }
        return v.lane(0);
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

    /** Queries whose logits are computed together, sharing every key load. */
    static final int TILE = 4;

    /**
     * Logits of up to {@link #TILE} queries (offsets {@code qo0..qo3}; the first {@code count} are real) over the
     * first {@code seen} keys, each key vector loaded once for all of them, into {@code p0..p3}. A query that may see
     * fewer keys simply ignores the logits past its own count.
     */
    static void logits(float[] q, int qo0, int qo1, int qo2, int qo3, int count, float[] kT, int stride,
                       float[] bias, int seen, int dim, float scale, float[] p0, float[] p1, float[] p2, float[] p3) {
        int bound = S.loopBound(seen);
        FloatVector vs = FloatVector.broadcast(S, scale);
        int t = 0;
        if (count == 1) {   // a single query (a decode step): one accumulator
            for (; t < bound; t += S.length()) {
                FloatVector a0 = FloatVector.zero(S);
                for (int d = 0; d < dim; d++) {
                    a0 = FloatVector.fromArray(S, kT, d * stride + t).fma(FloatVector.broadcast(S, q[qo0 + d]), a0);
                }
                a0.fma(vs, FloatVector.fromArray(S, bias, t)).intoArray(p0, t);
            }
            for (; t < seen; t++) {
                p0[t] = scalarLogit(q, qo0, kT, stride, t, dim, scale, bias);
            }
            return;
        }
        for (; t < bound; t += S.length()) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int d = 0; d < dim; d++) {
                FloatVector k = FloatVector.fromArray(S, kT, d * stride + t);
                a0 = k.fma(FloatVector.broadcast(S, q[qo0 + d]), a0);
                a1 = k.fma(FloatVector.broadcast(S, q[qo1 + d]), a1);
                a2 = k.fma(FloatVector.broadcast(S, q[qo2 + d]), a2);
                a3 = k.fma(FloatVector.broadcast(S, q[qo3 + d]), a3);
            }
            FloatVector b = FloatVector.fromArray(S, bias, t);
            a0.fma(vs, b).intoArray(p0, t);
            if (count > 1) {
                a1.fma(vs, b).intoArray(p1, t);
            }
            if (count > 2) {
                a2.fma(vs, b).intoArray(p2, t);
            }
            if (count > 3) {
                a3.fma(vs, b).intoArray(p3, t);
            }
        }
        for (; t < seen; t++) {
            p0[t] = scalarLogit(q, qo0, kT, stride, t, dim, scale, bias);
            if (count > 1) {
                p1[t] = scalarLogit(q, qo1, kT, stride, t, dim, scale, bias);
            }
            if (count > 2) {
                p2[t] = scalarLogit(q, qo2, kT, stride, t, dim, scale, bias);
            }
            if (count > 3) {
                p3[t] = scalarLogit(q, qo3, kT, stride, t, dim, scale, bias);
            }
        }
    }

    private static float scalarLogit(float[] q, int qo, float[] kT, int stride, int t, int dim, float scale,
                                     float[] bias) {
        float dot = 0;
        for (int d = 0; d < dim; d++) {
            dot += q[qo + d] * kT[d * stride + t];
        }
        return Math.fma(dot, scale, bias[t]);
    }

    /**
     * For up to {@link #TILE} consecutive queries of a block (query {@code j} sees the first {@code firstSeen + j}
     * keys, its logits in {@code tile[j]}): turns each query's logits into probabilities in place, then writes each
     * query's weighted sum of the values to {@code out[qo[j]..qo[j]+dim)}. Each value vector is loaded once for all
     * of the tile's queries, whose sums stay in registers, instead of once per query with its sum loaded and stored
     * around every key; each query's sum still adds the keys in order with the same fused multiply-adds, so the
     * output has the bits one query at a time would give. A query's probabilities past its own keys are set to zero
     * (so that it can run alongside the tile's longest), which leaves its sum unchanged.
     */
    static void softmaxTileInto(float[][] tile, int count, int firstSeen, float[] v, int dim, float[] out, int[] qo) {
        int seenAll = firstSeen + count - 1;
        for (int j = 0; j < count; j++) {
            softmax(tile[j], firstSeen + j);
            java.util.Arrays.fill(tile[j], firstSeen + j, seenAll, 0f);
        }
        if (count < TILE) {
            for (int j = 0; j < count; j++) {
                weightedSum(tile[j], firstSeen + j, v, dim, out, qo[j]);
            }
            return;
        }
        float[] p0 = tile[0];
        float[] p1 = tile[1];
        float[] p2 = tile[2];
        float[] p3 = tile[3];
        int lanes = S.length();
        int d = 0;
        for (; d + 2 * lanes <= dim; d += 2 * lanes) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector b0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector b1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector b2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            FloatVector b3 = FloatVector.zero(S);
            for (int t = 0; t < seenAll; t++) {
                FloatVector va = FloatVector.fromArray(S, v, t * dim + d);
                FloatVector vb = FloatVector.fromArray(S, v, t * dim + d + lanes);
                FloatVector w0 = FloatVector.broadcast(S, p0[t]);
                a0 = va.fma(w0, a0);
                b0 = vb.fma(w0, b0);
                FloatVector w1 = FloatVector.broadcast(S, p1[t]);
                a1 = va.fma(w1, a1);
                b1 = vb.fma(w1, b1);
                FloatVector w2 = FloatVector.broadcast(S, p2[t]);
                a2 = va.fma(w2, a2);
                b2 = vb.fma(w2, b2);
                FloatVector w3 = FloatVector.broadcast(S, p3[t]);
                a3 = va.fma(w3, a3);
                b3 = vb.fma(w3, b3);
            }
            a0.intoArray(out, qo[0] + d);
            b0.intoArray(out, qo[0] + d + lanes);
            a1.intoArray(out, qo[1] + d);
            b1.intoArray(out, qo[1] + d + lanes);
            a2.intoArray(out, qo[2] + d);
            b2.intoArray(out, qo[2] + d + lanes);
            a3.intoArray(out, qo[3] + d);
            b3.intoArray(out, qo[3] + d + lanes);
        }
        for (; d + lanes <= dim; d += lanes) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int t = 0; t < seenAll; t++) {
                FloatVector va = FloatVector.fromArray(S, v, t * dim + d);
                a0 = va.fma(FloatVector.broadcast(S, p0[t]), a0);
                a1 = va.fma(FloatVector.broadcast(S, p1[t]), a1);
                a2 = va.fma(FloatVector.broadcast(S, p2[t]), a2);
                a3 = va.fma(FloatVector.broadcast(S, p3[t]), a3);
            }
            a0.intoArray(out, qo[0] + d);
            a1.intoArray(out, qo[1] + d);
            a2.intoArray(out, qo[2] + d);
            a3.intoArray(out, qo[3] + d);
        }
        for (; d < dim; d++) {   // what is left of a head size that is not a multiple of the vector: as axpy's tail
            for (int j = 0; j < TILE; j++) {
                float sum = 0f;
                for (int t = 0; t < seenAll; t++) {
                    sum += tile[j][t] * v[t * dim + d];
                }
                out[qo[j] + d] = sum;
            }
        }
    }

    /** Writes the weighted sum of the first {@code seen} values, with weights {@code probs}, to {@code out[oo..)}. */
    private static void weightedSum(float[] probs, int seen, float[] v, int dim, float[] out, int oo) {
        java.util.Arrays.fill(out, oo, oo + dim, 0f);
        for (int t = 0; t < seen; t++) {
            axpy(probs[t], v, t * dim, out, oo, dim);
        }
    }

    /** Turns the logits in {@code probs[0..seen)} into probabilities, in place. */
    static void softmax(float[] probs, int seen) {
        int bound = S.loopBound(seen);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int t = 0;
        for (; t < bound; t += S.length()) {
            vmax = vmax.max(FloatVector.fromArray(S, probs, t));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);   // max is exact in any order
        for (; t < seen; t++) {
            max = Math.max(max, probs[t]);
        }
        FloatVector vsum = FloatVector.zero(S);
        FloatVector vm = FloatVector.broadcast(S, max);
        t = 0;
        for (; t < bound; t += S.length()) {
            FloatVector e = StableExp.exp(FloatVector.fromArray(S, probs, t).sub(vm));
            e.intoArray(probs, t);
            vsum = vsum.add(e);
        }
        double sum = sumLanes(vsum);
        for (; t < seen; t++) {
            float e = StableExp.exp(probs[t] - max);
            probs[t] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        t = 0;
        for (; t < bound; t += S.length()) {
            FloatVector.fromArray(S, probs, t).mul(inv).intoArray(probs, t);
        }
        for (; t < seen; t++) {
            probs[t] *= inv;
        }
    }

    /** Writes {@code k [n][dim]} transposed into {@code kT[d * n + t]}. */
    static void transpose(float[] k, int n, int dim, float[] kT) {
        for (int t = 0; t < n; t++) {
            int row = t * dim;
            for (int d = 0; d < dim; d++) {
                kT[d * n + t] = k[row + d];
            }
        }
    }
}
