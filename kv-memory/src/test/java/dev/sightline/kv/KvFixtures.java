package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shared helpers: random blocks fed through any KvSequence, and a plain reference attention. */
final class KvFixtures {

    private KvFixtures() {
    }

    /** Video tokens for frame {@code frame}: a rows x cols grid at consecutive positions from {@code start}. */
    static List<TokenInfo> frame(long start, int frame, int rows, int cols) {
        List<TokenInfo> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out.add(TokenInfo.video(start + out.size(), frame * 1000L, frame, r, c, 1));
            }
        }
        return out;
    }

    static float[] gaussian(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * scale;
        }
        return a;
    }

    /** Feeds one block with random keys, values and queries; returns the attention outputs per layer. */
    static float[][] feed(KvSequence seq, List<TokenInfo> tokens, Random random) {
        KvGeometry g = seq.geometry();
        int n = tokens.size();
        seq.beginBlock(tokens);
        float[][] outs = new float[g.layers()][];
        for (int l = 0; l < g.layers(); l++) {
            seq.store(l, gaussian(random, n * g.kvDim(), 1), gaussian(random, n * g.kvDim(), 1));
            float[] out = new float[n * g.queryDim()];
            seq.attend(l, gaussian(random, n * g.queryDim(), 1), out);
            outs[l] = out;
        }
        seq.endBlock();
        return outs;
    }

    /** Feeds the same block (same random draws) to two sequences and returns both outputs. */
    static float[][][] feedBoth(KvSequence a, KvSequence b, List<TokenInfo> tokens, long seed) {
        return new float[][][] {feed(a, tokens, new Random(seed)), feed(b, tokens, new Random(seed))};
    }

    /**
     * Reference attention of {@code queries} (one block of n) for one layer over per-head keys/values
     * ({@code [kvHead][tokens*headDim]}) with log merged-size biases, causal over the block (its last n tokens).
     */
    static float[] referenceAttention(KvGeometry g, float[] queries, int n, float[][] keys, float[][] values,
                                      int[][] merged) {
        int dim = g.headDim();
        float[] out = new float[n * g.queryDim()];
        double scale = 1 / Math.sqrt(dim);
        for (int qh = 0; qh < g.queryHeads(); qh++) {
            int h = qh / g.groupSize();
            int total = keys[h].length / dim;
            for (int i = 0; i < n; i++) {
                int seen = total - n + i + 1;
                double[] s = new double[seen];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < seen; t++) {
                    double dot = 0;
                    for (int d = 0; d < dim; d++) {
                        dot += queries[i * g.queryDim() + qh * dim + d] * keys[h][t * dim + d];
                    }
                    s[t] = dot * scale + Math.log(merged[h][t]);
                    max = Math.max(max, s[t]);
                }
                double sum = 0;
                for (int t = 0; t < seen; t++) {
                    s[t] = Math.exp(s[t] - max);
                    sum += s[t];
                }
                for (int t = 0; t < seen; t++) {
                    for (int d = 0; d < dim; d++) {
                        out[i * g.queryDim() + qh * dim + d] += (float) (s[t] / sum * values[h][t * dim + d]);
                    }
                }
            }
        }
        return out;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static KvMemoryConfig.Builder config(long budget) {
        return KvMemoryConfig.builder(budget);
    }

    /**
     * Runs {@code steps} decode steps (one video token of frame {@code frame}, with a random merged size, through
     * every layer) on the memory or, with {@code inOverlay}, on an overlay of it, and checks each layer's attention
     * against {@link #decodeReference}.
     */
    static void assertDecodeStepsMatchReference(PagedKvSequence memory, boolean inOverlay, int steps, int frame,
                                                Random random, Object label) {
        KvGeometry g = memory.geometry();
        KvSequence seq = inOverlay ? memory.overlay() : memory;
        try {
            for (int step = 0; step < steps; step++) {
                int merged = random.nextInt(3) == 0 ? 2 + random.nextInt(4) : 1;
                seq.beginBlock(List.of(TokenInfo.video(seq.nextPosition(), 0, frame, 0, step, merged)));
                for (int l = 0; l < g.layers(); l++) {
                    seq.store(l, gaussian(random, g.kvDim(), 1), gaussian(random, g.kvDim(), 1));
                    float[] q = gaussian(random, g.queryDim(), 1);
                    float[] out = new float[q.length];
                    seq.attend(l, q, out);
                    float[] reference = decodeReference(g, memory, (PagedKvSequence) seq, l, q);
                    assertThat(maxAbsDiff(out, reference)).as("%s step %d layer %d", label, step, l)
                            .isLessThan(2e-4f);
                }
                seq.endBlock();
            }
        } finally {
            if (inOverlay) {
                seq.close();
            }
        }
    }

    /**
     * Dense attention of one decode query over every key the memory and (when different) the overlay {@code seq}
     * hold, in order: the reference a decode step's attention is checked against.
     */
    static float[] decodeReference(KvGeometry g, PagedKvSequence memory, PagedKvSequence seq, int layer, float[] q) {
        float[][] keys = new float[g.kvHeads()][];
        float[][] values = new float[g.kvHeads()][];
        int[][] merged = new int[g.kvHeads()][];
        for (int h = 0; h < g.kvHeads(); h++) {
            float[][] kv = memory.headKeysValues(layer, h);
            int[] m = memory.headMergedSizes(layer, h);
            if (seq != memory) {
                float[][] own = seq.headKeysValues(layer, h);
                kv = new float[][] {concat(kv[0], own[0]), concat(kv[1], own[1])};
                m = concat(m, seq.headMergedSizes(layer, h));
            }
            keys[h] = kv[0];
            values[h] = kv[1];
            merged[h] = m;
        }
        return referenceAttention(g, q, 1, keys, values, merged);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
