package dev.sightline.kv;

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
            if (prefill > 0) {
                KvFixtures.feed(memory, KvFixtures.frame(0, 0, 1, prefill), random);
            }
            KvFixtures.assertDecodeStepsMatchReference(memory, inOverlay, 6, 1, random, format);
        }
    }
}
