package dev.sightline.kv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of a block's single query token (a decode step) for the query heads that share one KV head, over keys
 * and values decoded row by row.
 *
 * <p>Why a separate path: a decode step has one query per head, so nothing is shared across queries of the block, and
 * the prefill kernel's transposed keys (built so that four queries share each key load) cost more to build than they
 * save: at 144 cached tokens the transpose alone took longer than the arithmetic. Here each query head dots its query
 * with the key rows as they were decoded, and sums the weighted value rows in registers instead of adding each one
 * into the output in memory. (Sharing each value load among the group's heads measured within noise.)
 */
final class DecodeAttention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private DecodeAttention() {
    }

    /**
     * Softmax attention of the {@code group} query heads at {@code q[qo + g*dim ..]} over the first {@code seen}
     * keys and values, with {@code bias[t]} (log merged size) added to each scaled logit. Key {@code t} is at
     * {@code keys[ko + t*stride ..]} and value {@code t} at {@code values[vo + t*stride ..]}: separate arrays
     * ({@code stride = dim}) or one array of rows holding a key and then its value ({@code stride = 2*dim}), as F16
     * pages hold them. Leaves query head {@code g}'s probabilities in {@code probs[g][0..seen)} (for attention
     * statistics) and writes its output to {@code out[qo + g*dim ..]}.
     */
    static void attend(float[] q, int qo, int group, float[] keys, int ko, float[] values, int vo, int stride,
                       float[] bias, int seen, int dim, float scale, float[][] probs, float[] out) {
        for (int g = 0; g < group; g++) {
            float[] p = probs[g];
            int qg = qo + g * dim;
            for (int t = 0; t < seen; t++) {
                p[t] = Math.fma(AttentionKernel.dot(q, qg, keys, ko + t * stride, dim), scale, bias[t]);
            }
            AttentionKernel.softmax(p, seen);
            weightedSum(p, seen, values, vo, stride, dim, out, qg);
        }
    }

    /**
     * {@code out[oo..oo+dim) = sum_t p[t] * v[t]}, accumulated in registers rather than in {@code out}; four
     * accumulators per vector of the row, over tokens t, t+1, t+2, t+3, so consecutive multiply-adds do not wait for
     * each other.
     */
    static void weightedSum(float[] p, int seen, float[] v, int vo, int stride, int dim, float[] out, int oo) {
        int c = 0;
        int tokens4 = seen & ~3;
        for (int bound = S.loopBound(dim); c < bound; c += S.length()) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            int t = 0;
            for (; t < tokens4; t += 4) {
                int row = vo + t * stride + c;
                a0 = FloatVector.fromArray(S, v, row).fma(FloatVector.broadcast(S, p[t]), a0);
                a1 = FloatVector.fromArray(S, v, row + stride).fma(FloatVector.broadcast(S, p[t + 1]), a1);
                a2 = FloatVector.fromArray(S, v, row + 2 * stride).fma(FloatVector.broadcast(S, p[t + 2]), a2);
                a3 = FloatVector.fromArray(S, v, row + 3 * stride).fma(FloatVector.broadcast(S, p[t + 3]), a3);
            }
            for (; t < seen; t++) {
                a0 = FloatVector.fromArray(S, v, vo + t * stride + c).fma(FloatVector.broadcast(S, p[t]), a0);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, oo + c);
        }
        for (; c < dim; c++) {   // a head size that is not a multiple of the vector length
            float acc = 0f;
            for (int t = 0; t < seen; t++) {
                acc = Math.fma(v[vo + t * stride + c], p[t], acc);
            }
            out[oo + c] = acc;
        }
    }
}
