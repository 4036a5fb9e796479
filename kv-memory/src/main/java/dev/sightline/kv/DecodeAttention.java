package dev.sightline.kv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of a block's single query token (a decode step) for the query heads that share one KV head, over keys
 * and values decoded row-major ({@code [token][dim]}).
 *
 * <p>Why a separate path: a decode step has one query per head, so nothing is shared across queries of the block and
 * the prefill kernel's transposed keys (built so that four queries share each key load) cost more to build than they
 * save. Here each key row is dotted with every query of the group straight from the decoded rows, and the values are
 * summed into per-head accumulators kept in registers, instead of adding each weighted value row into the output
 * in memory.
 */
final class DecodeAttention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private DecodeAttention() {
    }

    /**
     * Softmax attention of the {@code group} query heads at {@code q[qo + g*dim ..]} over the first {@code seen}
     * keys and values ({@code [token][dim]}), with {@code bias[t]} (log merged size) added to each scaled logit.
     * Leaves query head {@code g}'s probabilities in {@code probs[g][0..seen)} (for attention statistics) and writes
     * its output to {@code out[qo + g*dim ..]}.
     */
    static void attend(float[] q, int qo, int group, float[] k, float[] v, float[] bias, int seen, int dim,
                       float scale, float[][] probs, float[] out) {
        for (int g = 0; g < group; g++) {
            float[] p = probs[g];
            int qg = qo + g * dim;
            for (int t = 0; t < seen; t++) {
                p[t] = Math.fma(AttentionKernel.dot(q, qg, k, t * dim, dim), scale, bias[t]);
            }
            AttentionKernel.softmax(p, seen);
            weightedSum(p, seen, v, dim, out, qg);
        }
    }

    /** {@code out[oo..oo+dim) = sum_t p[t] * v[t]}: one accumulator per vector of the row, no store per token. */
    static void weightedSum(float[] p, int seen, float[] v, int dim, float[] out, int oo) {
        int c = 0;
        for (int bound = S.loopBound(dim); c < bound; c += S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < seen; t++) {
                acc = FloatVector.fromArray(S, v, t * dim + c).fma(FloatVector.broadcast(S, p[t]), acc);
            }
            acc.intoArray(out, oo + c);
        }
        for (; c < dim; c++) {   // a head size that is not a multiple of the vector length
            float acc = 0f;
            for (int t = 0; t < seen; t++) {
                acc = Math.fma(v[t * dim + c], p[t], acc);
            }
            out[oo + c] = acc;
        }
    }
}
