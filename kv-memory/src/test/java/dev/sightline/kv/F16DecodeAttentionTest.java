package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Test;

/**
 * Decode steps over F16 pages read the rows where they lie ({@link F16DecodeAttention}): the in-register half-float
 * conversion must be exact, and the attention must give what the dense reference gives over what the pages hold,
 * with rows spread over many small pages, gaps left by eviction, merged tokens, groups of more query heads than one
 * pass takes, head sizes that are not a multiple of the vector length, and an overlay on top of the memory.
 */
class F16DecodeAttentionTest {

    private static KvPool pool;

    @BeforeContainer
    static void pool() {
        // small pages: a head's rows lie in many runs, and a run ends mid-way through the kernels' loops
        pool = KvPool.allocate(32L << 20, 512);
    }

    @AfterContainer
    static void free() {
        pool.close();
    }

    @Test
    void halvesConvertEveryFiniteAndInfiniteHalfFloatExactly() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(2L * 65536, 64);
            for (int h = 0; h < 65536; h++) {
                all.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, h, (short) h);
            }
            int checked = 0;
            for (int h0 = 0; h0 < 65536; h0 += lanes) {
                float[] got = F16DecodeAttention.halves(all, 2L * h0).toArray();
                for (int i = 0; i < lanes; i++) {
                    short h = (short) (h0 + i);
                    float want = Float.float16ToFloat(h);
                    if (Float.isNaN(want)) {
                        continue;   // stores refuse non-finite keys and values, so pages hold no NaN
                    }
                    assertThat(Float.floatToRawIntBits(got[i])).as("half 0x%04x", h0 + i)
                            .isEqualTo(Float.floatToRawIntBits(want));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(65536 - 2 * 1023);
        }
    }

    @Property(tries = 24)
    void decodeStepsMatchTheDenseReferenceOverEvictedPagedRows(@ForAll("evicting") String policy,
                                                               @ForAll("headDims") int headDim,
                                                               @ForAll @IntRange(min = 1, max = 2) int kvHeads,
                                                               @ForAll @IntRange(min = 1, max = 9) int group,
                                                               @ForAll boolean inOverlay,
                                                               @ForAll @IntRange(min = 0, max = 1000) int seed) {
        KvGeometry g = new KvGeometry(2, kvHeads, headDim, kvHeads * group);
        KvMemoryConfig config = KvMemoryConfig.builder(8L << 20).format(PageFormat.F16).policy(policy)
                .watermarkTokens(60, 40).recentWindow(4).seed(seed).build();
        Random random = new Random(seed);
        try (PagedKvSequence memory = PagedKvSequence.open(pool, g, config)) {
            for (int f = 0; f < 6; f++) {
                KvFixtures.feed(memory, KvFixtures.frame(memory.nextPosition(), f, 3, 5), random);
            }
            assertThat(memory.stats().compressions()).as("the memory has gaps from eviction").isPositive();
            KvFixtures.assertDecodeStepsMatchReference(memory, inOverlay, 5, 9, random, policy);
        }
    }

    @Provide
    Arbitrary<String> evicting() {
        return Arbitraries.of("h2o", "streammem", "random", "streaming-llm");
    }

    @Provide
    Arbitrary<Integer> headDims() {
        // multiples of the vector length, a head smaller than it, and sizes with a tail
        return Arbitraries.of(8, 16, 20, 40, 64, 72, 128);
    }
}
