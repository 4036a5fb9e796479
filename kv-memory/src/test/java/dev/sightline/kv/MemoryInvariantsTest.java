package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Invariants that hold for every policy and format while a stream goes on: never over budget (session and pool),
 * kept tokens in their original order, pinned tokens and the recent window never evicted, compression brings every
 * layer to its target, and token descriptions match what the heads hold.
 */
class MemoryInvariantsTest {

    private static KvPool pool;

    @BeforeContainer
    static void pool() {
        pool = KvPool.allocate(48L << 20, 4096);
    }

    @AfterContainer
    static void free() {
        pool.close();
    }

    @Provide
    Arbitrary<String> policies() {
        List<String> names = new ArrayList<>(Policies.NAMES);
        names.remove("full");
        names.addAll(List.of("adakv:snapkv", "adakv:infinipot-v", "pyramidkv:h2o", "chunkkv:knorm",
                "chunkkv:streammem", "pyramidkv:adakv:tova"));
        return Arbitraries.of(names);
    }

    @Property(tries = 40)
    void aLongStreamStaysWithinBudgetAndKeepsWhatItMust(@ForAll("policies") String policy,
                                                        @ForAll PageFormat format,
                                                        @ForAll @IntRange(min = 4, max = 24) int frames,
                                                        @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        KvGeometry g = new KvGeometry(3, 2, 32, 4);
        int high = 150;
        int low = 100;
        int recent = 8;
        KvMemoryConfig config = KvMemoryConfig.builder(900_000).format(format).policy(policy)
                .watermarkTokens(high, low).recentWindow(recent).seed(seed).build();
        Random random = new Random(seed);
        try (PagedKvSequence memory = PagedKvSequence.open(pool, g, config)) {
            // a pinned system prompt, then frames of 4x5 patches with a text line now and then
            List<TokenInfo> prompt = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                prompt.add(TokenInfo.pinnedText(i));
            }
            KvFixtures.feed(memory, prompt, random);
            long position = 6;
            for (int f = 0; f < frames; f++) {
                List<TokenInfo> block = KvFixtures.frame(position, f, 4, 5);
                position += block.size();
                if (random.nextInt(4) == 0) {
                    block.add(TokenInfo.text(position++));
                }
                long compressionsBefore = memory.stats().compressions();
                List<TokenInfo> newest = new ArrayList<>(memory.tokens());
                newest.addAll(block);
                newest = newest.subList(Math.max(0, newest.size() - recent), newest.size());
                KvFixtures.feed(memory, block, random);
                KvStats stats = memory.stats();

                assertThat(stats.usedBytes()).isLessThanOrEqualTo(config.budgetBytes());
                assertThat(pool.usedBytes()).isLessThanOrEqualTo(pool.capacityBytes());
                assertThat(stats.pageBytes()).isEqualTo((long) stats.pages() * pool.pageBytes());
                assertThat(stats.meanTokensPerHead()).isLessThan(high);
                Set<TokenInfo> union = new HashSet<>();
                for (int l = 0; l < g.layers(); l++) {
                    for (int h = 0; h < g.kvHeads(); h++) {
                        List<TokenInfo> held = memory.tokens(l, h);
                        assertThat(held).hasSize(memory.headSize(l, h));
                        for (int i = 1; i < held.size(); i++) {
                            assertThat(held.get(i).position()).as("order in layer %d head %d", l, h)
                                    .isGreaterThan(held.get(i - 1).position());
                        }
                        assertThat(held).as("pinned prompt kept").containsAll(prompt);
                        assertThat(held).as("recent window kept").containsAll(newest);
                        union.addAll(held);
                    }
                }
                assertThat(union).containsExactlyInAnyOrderElementsOf(memory.tokens());
                if (stats.compressions() > compressionsBefore) {
                    // each head (each layer, where AdaKV moves budget across heads) at or under its target,
                    // unless protection alone exceeds it; StreamMem's prototypes are budgeted per frame
                    for (int l = 0; l < g.layers(); l++) {
                        int target = Math.max(config.policy().layerTarget(l, g.layers(), low), prompt.size() + recent)
                                + (policy.contains("streammem") && policy.contains("chunkkv") ? frames : 0);
                        int layerTotal = 0;
                        for (int h = 0; h < g.kvHeads(); h++) {
                            layerTotal += memory.headSize(l, h);
                            if (!policy.contains("adakv")) {
                                assertThat(memory.headSize(l, h)).as("layer %d head %d after compressing", l, h)
                                        .isLessThanOrEqualTo(target);
                            }
                        }
                        assertThat(layerTotal).as("layer %d after compressing", l)
                                .isLessThanOrEqualTo(target * g.kvHeads());
                    }
                }
            }
            if (position >= high) {
                assertThat(memory.stats().compressions()).as("a stream of %d tokens compresses", position)
                        .isPositive();
            }
        }
        assertThat(pool.reservedBytes()).isZero();
        assertThat(pool.usedBytes()).isZero();
    }

    @Property(tries = 12)
    void theFullCacheRefusesABlockPastItsBudgetAndChangesNothing(@ForAll PageFormat format,
                                                                 @ForAll @IntRange(min = 0, max = 1000) int seed) {
        KvGeometry g = new KvGeometry(2, 2, 32, 2);
        KvMemoryConfig config = KvMemoryConfig.builder(120_000).format(format).policy("full").build();
        Random random = new Random(seed);
        try (PagedKvSequence memory = PagedKvSequence.open(pool, g, config)) {
            long position = 0;
            boolean refused = false;
            for (int f = 0; f < 200 && !refused; f++) {
                List<TokenInfo> block = KvFixtures.frame(position, f, 4, 4);
                KvStats before = memory.stats();
                try {
                    KvFixtures.feed(memory, block, random);
                    position += block.size();
                } catch (KvBudgetExceededException e) {
                    refused = true;
                    KvStats after = memory.stats();
                    assertThat(after.usedBytes()).isEqualTo(before.usedBytes());
                    assertThat(after.tokens()).isEqualTo(before.tokens());
                    assertThat(e.getMessage()).contains("budget").contains("full");
                }
                assertThat(memory.stats().usedBytes()).isLessThanOrEqualTo(config.budgetBytes());
            }
            assertThat(refused).isTrue();
            assertThat(memory.stats().compressions()).isZero();
            // still usable after a refusal: a smaller block may fit, and overlays still work
            try (KvSequence overlay = memory.overlay()) {
                assertThat(overlay.size()).isEqualTo(memory.size());
            }
        }
    }

    @Property(tries = 16)
    void aTightBudgetCompressesEarlyInsteadOfOverflowing(@ForAll("policies") String policy,
                                                         @ForAll PageFormat format,
                                                         @ForAll @IntRange(min = 20, max = 60) int frameTokens,
                                                         @ForAll @IntRange(min = 0, max = 1000) int seed) {
        KvGeometry g = new KvGeometry(2, 2, 32, 2);
        // watermarks derived from a small budget; frames big enough that a block may not fit before compressing
        KvMemoryConfig config = KvMemoryConfig.builder(160_000).format(format).policy(policy).recentWindow(4)
                .seed(seed).build();
        Random random = new Random(seed);
        try (PagedKvSequence memory = PagedKvSequence.open(pool, g, config)) {
            for (int f = 0; f < 30; f++) {
                int rows = (frameTokens + 4) / 5;
                KvFixtures.feed(memory, KvFixtures.frame(memory.nextPosition(), f, rows, 5), random);
                assertThat(memory.stats().usedBytes()).isLessThanOrEqualTo(config.budgetBytes());
                assertThat(memory.stats().peakBytes()).isLessThanOrEqualTo(config.budgetBytes());
            }
            assertThat(memory.stats().compressions()).isPositive();
            assertThat(memory.stats().refusals()).isZero();
        }
    }
}
