package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The paged store's attention equals the dense reference on random data, for every page format: exactly (to float
 * rounding) against the dense attention over the dequantized keys and values it holds, and within the format's
 * quantization error against {@link DenseKvSequence} on the original floats.
 */
class AttentionEquivalenceTest {

    private static KvPool pool;

    @BeforeContainer
    static void pool() {
        pool = KvPool.allocate(64L << 20, 8192);
    }

    @AfterContainer
    static void free() {
        pool.close();
    }

    /** Max abs error against the original floats, for unit-variance keys, values and queries. */
    private static float tolerance(PageFormat f) {
        return switch (f) {
            case F16 -> 5e-3f;
            case Q8 -> 5e-2f;
            case KIVI4 -> 0.4f;
            case KIVI2 -> 1.2f;
        };
    }

    @Property(tries = 32)
    void pagedAttentionMatchesTheDenseReference(@ForAll PageFormat format,
                                                @ForAll @IntRange(min = 1, max = 3) int kvHeads,
                                                @ForAll @IntRange(min = 1, max = 3) int group,
                                                @ForAll @IntRange(min = 1, max = 4) int blocks,
                                                @ForAll @IntRange(min = 1, max = 70) int blockSize,
                                                @ForAll @IntRange(min = 0, max = 1000) int seed) {
        int headDim = format == PageFormat.F16 || format == PageFormat.Q8 ? 16 + (seed % 3) * 8 : 32;
        KvGeometry g = new KvGeometry(2, kvHeads, headDim, kvHeads * group);
        KvMemoryConfig config = KvMemoryConfig.builder(32L << 20).format(format).policy("full").build();
        Random random = new Random(seed);
        try (PagedKvSequence paged = PagedKvSequence.open(pool, g, config);
             DenseKvSequence dense = new DenseKvSequence(g)) {
            long position = 0;
            for (int b = 0; b < blocks; b++) {
                List<TokenInfo> tokens = new ArrayList<>();
                for (int i = 0; i < blockSize; i++) {
                    int merged = random.nextInt(4) == 0 ? 1 + random.nextInt(5) : 1;
                    tokens.add(TokenInfo.video(position++, b, b, i / 8, i % 8, merged));
                }
                paged.beginBlock(tokens);
                dense.beginBlock(tokens);
                for (int l = 0; l < g.layers(); l++) {
                    float[] k = KvFixtures.gaussian(random, blockSize * g.kvDim(), 1);
                    float[] v = KvFixtures.gaussian(random, blockSize * g.kvDim(), 1);
                    float[] q = KvFixtures.gaussian(random, blockSize * g.queryDim(), 1);
                    paged.store(l, k, v);
                    dense.store(l, k, v);
                    float[] outPaged = new float[q.length];
                    float[] outDense = new float[q.length];
                    paged.attend(l, q, outPaged);
                    dense.attend(l, q, outDense);

                    // exact: dense attention over what the pages hold, dequantized
                    float[][] keys = new float[kvHeads][];
                    float[][] values = new float[kvHeads][];
                    int[][] merged = new int[kvHeads][];
                    List<TokenInfo> all = dense.tokens();
                    all.addAll(tokens);
                    for (int h = 0; h < kvHeads; h++) {
                        float[][] kv = paged.headKeysValues(l, h);
                        keys[h] = kv[0];
                        values[h] = kv[1];
                        merged[h] = all.stream().mapToInt(TokenInfo::mergedSize).toArray();
                    }
                    float[] reference = KvFixtures.referenceAttention(g, q, blockSize, keys, values, merged);
                    assertThat(KvFixtures.maxAbsDiff(outPaged, reference)).as("vs dequantized reference, %s", format)
                            .isLessThan(2e-4f);
                    // within quantization error of the original floats
                    assertThat(KvFixtures.maxAbsDiff(outPaged, outDense)).as("vs DenseKvSequence, %s", format)
                            .isLessThan(tolerance(format));
                }
                paged.endBlock();
                dense.endBlock();
            }
            assertThat(paged.size()).isEqualTo(dense.size());
            assertThat(paged.nextPosition()).isEqualTo(dense.nextPosition());
        }
    }

    @Property(tries = 16)
    void attentionStaysExactOverWhatCompressionKept(@ForAll PageFormat format,
                                                    @ForAll("evicting") String policy,
                                                    @ForAll @IntRange(min = 0, max = 1000) int seed) {
        KvGeometry g = new KvGeometry(2, 2, 32, 6);
        KvMemoryConfig config = KvMemoryConfig.builder(8L << 20).format(format).policy(policy)
                .watermarkTokens(90, 60).recentWindow(4).seed(seed).build();
        Random random = new Random(seed);
        try (PagedKvSequence paged = PagedKvSequence.open(pool, g, config)) {
            for (int f = 0; f < 10; f++) {
                List<TokenInfo> tokens = KvFixtures.frame(paged.nextPosition(), f, 3, 5);
                int n = tokens.size();
                paged.beginBlock(tokens);
                for (int l = 0; l < g.layers(); l++) {
                    float[] q = KvFixtures.gaussian(random, n * g.queryDim(), 1);
                    paged.store(l, KvFixtures.gaussian(random, n * g.kvDim(), 1),
                            KvFixtures.gaussian(random, n * g.kvDim(), 1));
                    float[] out = new float[q.length];
                    paged.attend(l, q, out);
                    float[][] keys = new float[g.kvHeads()][];
                    float[][] values = new float[g.kvHeads()][];
                    int[][] merged = new int[g.kvHeads()][];
                    for (int h = 0; h < g.kvHeads(); h++) {
                        float[][] kv = paged.headKeysValues(l, h);
                        keys[h] = kv[0];
                        values[h] = kv[1];
                        merged[h] = paged.headMergedSizes(l, h);
                    }
                    float[] reference = KvFixtures.referenceAttention(g, q, n, keys, values, merged);
                    assertThat(KvFixtures.maxAbsDiff(out, reference)).isLessThan(2e-4f);
                }
                paged.endBlock();
            }
            assertThat(paged.stats().compressions()).isPositive();
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> evicting() {
        return net.jqwik.api.Arbitraries.of("streammem", "infinipot-v", "h2o", "knorm", "random", "pyramidkv:tova");
    }
}
