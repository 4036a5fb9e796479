package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Decode steps (blocks of one token) take their own attention path ({@link DecodeAttention}): it must give what the
 * dense reference gives over the keys and values the pages hold, for every page format, GQA group size, head size
 * (including sizes that are not a multiple of the vector length), merged tokens, and on top of an overlay.
 */
class DecodeAttentionTest {

    private static KvPool pool;

    @BeforeContainer
    static void pool() {
        pool = KvPool.allocate(64L << 20, 8192);
    }

    @AfterContainer
    static void free() {
        pool.close();
    }

    @Property(tries = 24)
    void decodeStepsMatchTheDenseReference(@ForAll PageFormat format,
                                           @ForAll @IntRange(min = 1, max = 3) int kvHeads,
                                           @ForAll @IntRange(min = 1, max = 5) int group,
                                           @ForAll @IntRange(min = 0, max = 40) int prefill,
                                           @ForAll boolean inOverlay,
                                           @ForAll @IntRange(min = 0, max = 1000) int seed) {
        int headDim = format == PageFormat.F16 || format == PageFormat.Q8 ? 8 + (seed % 4) * 12 : 32;
        KvGeometry g = new KvGeometry(2, kvHeads, headDim, kvHeads * group);
        // h2o tracks attention statistics, which decode steps feed too
        KvMemoryConfig config = KvMemoryConfig.builder(32L << 20).format(format)
                .policy(seed % 2 == 0 ? "full" : "h2o").build();
        Random random = new Random(seed);
        try (PagedKvSequence memory = PagedKvSequence.open(pool, g, config)) {
            long position = 0;
            if (prefill > 0) {
                List<TokenInfo> block = KvFixtures.frame(position, 0, 1, prefill);
                KvFixtures.feed(memory, block, random);
                position += prefill;
            }
            KvSequence seq = inOverlay ? memory.overlay() : memory;
            try {
                for (int step = 0; step < 6; step++) {
                    int merged = random.nextInt(3) == 0 ? 2 + random.nextInt(4) : 1;
                    seq.beginBlock(List.of(TokenInfo.video(position++, 0, 1, 0, step, merged)));
                    for (int l = 0; l < g.layers(); l++) {
                        seq.store(l, KvFixtures.gaussian(random, g.kvDim(), 1),
                                KvFixtures.gaussian(random, g.kvDim(), 1));
                        float[] q = KvFixtures.gaussian(random, g.queryDim(), 1);
                        float[] out = new float[q.length];
                        seq.attend(l, q, out);
                        float[] reference = KvFixtures.decodeReference(g, memory, (PagedKvSequence) seq, l, q);
                        assertThat(KvFixtures.maxAbsDiff(out, reference)).as("%s step %d layer %d", format, step, l)
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
    }
}
