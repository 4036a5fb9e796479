package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The shortcuts a pass takes to read and move less change nothing it leaves behind: policies that read a head a
 * stretch at a time ({@link HeadView#readRows}) leave the same memory, bit for bit, as when they decode whole heads,
 * and compaction keeps exactly the flagged tokens, in order, and gives every page it no longer needs back.
 */
class PassReadingTest {

    private static KvPool pool;
    private static final KvGeometry G = new KvGeometry(2, 2, 32, 4);

    @BeforeContainer
    static void pool() {
        pool = KvPool.allocate(32L << 20, 4096);
    }

    @AfterContainer
    static void free() {
        pool.close();
    }

    @Provide
    Arbitrary<String> readingPolicies() {
        return Arbitraries.of("infinipot-v", "streammem", "chunkkv:infinipot-v", "adakv:infinipot-v",
                "chunkkv:streammem");
    }

    @Property(tries = 20)
    void readingStretchesLeavesTheSameMemoryAsDecodingWholeHeads(@ForAll("readingPolicies") String policy,
                                                                @ForAll PageFormat format,
                                                                @ForAll @IntRange(min = 0, max = 1000) int seed)
            throws IOException {
        CompressionPolicy real = Policies.byName(policy);
        try (PagedKvSequence stretches = stream(real, format, seed);
             PagedKvSequence wholeHeads = stream(new WholeHeads(real), format, seed)) {
            assertThat(stretches.stats().compressions()).isPositive();
            assertThat(Arrays.equals(snapshot(stretches), snapshot(wholeHeads)))
                    .as("same memory whether the policy reads stretches or whole heads").isTrue();
        }
    }

    @Property(tries = 60)
    void compactionKeepsExactlyTheFlaggedTokensInOrderAndReturnsFreedPages(
            @ForAll PageFormat format, @ForAll @IntRange(min = 1, max = 300) int tokens,
            @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        int dim = 32;
        CountingPages pages = new CountingPages();
        HeadTier tier = new HeadTier(PageCodec.of(format, dim), pages);
        Random random = new Random(seed);
        float[] k = KvFixtures.gaussian(random, tokens * dim, 1f);
        float[] v = KvFixtures.gaussian(random, tokens * dim, 1f);
        tier.append(k, v, 0, tokens);
        float[] before = new float[tokens * dim];
        float[] beforeV = new float[tokens * dim];
        tier.read(0, tokens, before, beforeV, 0);
        boolean[] keep = keepPattern(random, tokens, tier.tokensPerPage());

        int kept = tier.compact(keep, 0);

        int expected = Selection.count(keep, tokens);
        assertThat(kept).isEqualTo(expected);
        assertThat(tier.count()).isEqualTo(expected);
        assertThat(tier.pageCount()).as("pages held").isEqualTo(tier.pagesFor(expected));
        assertThat(pages.held).as("pages not returned").isEqualTo(tier.pageCount());
        float[] after = new float[expected * dim];
        float[] afterV = new float[expected * dim];
        tier.read(0, expected, after, afterV, 0);
        if (tier.codec.groupTokens() == 1) {
            // tokens are moved as bytes: each kept token reads back exactly as before
            int next = 0;
            for (int t = 0; t < tokens; t++) {
                if (keep[t]) {
                    assertThat(Arrays.copyOfRange(after, next * dim, (next + 1) * dim))
                            .as("key of kept token %d", t).containsExactly(Arrays.copyOfRange(before, t * dim, (t + 1) * dim));
                    assertThat(Arrays.copyOfRange(afterV, next * dim, (next + 1) * dim))
                            .as("value of kept token %d", t).containsExactly(Arrays.copyOfRange(beforeV, t * dim, (t + 1) * dim));
                    next++;
                }
            }
        }
        tier.clear();
        assertThat(pages.held).isZero();
    }

    /**
     * Runs of kept and evicted tokens: single tokens, short runs as a scorer leaves them, and whole pages (kept
     * pages that can be relinked, evicted pages at the front that go back unmoved).
     */
    private static boolean[] keepPattern(Random random, int tokens, int perPage) {
        boolean[] keep = new boolean[tokens];
        int t = 0;
        while (t < tokens) {
            int run = switch (random.nextInt(4)) {
                case 0 -> 1;
                case 1 -> 1 + random.nextInt(4);
                case 2 -> perPage - t % perPage;   // to the next page start
                default -> perPage;
            };
            boolean kept = random.nextInt(3) != 0;
            for (int i = t; i < Math.min(tokens, t + run); i++) {
                keep[i] = kept;
            }
            t += run;
        }
        return keep;
    }

    private static PagedKvSequence stream(CompressionPolicy policy, PageFormat format, int seed) {
        KvMemoryConfig config = KvMemoryConfig.builder(600_000).format(format).policy(policy)
                .watermarkTokens(120, 80).recentWindow(10).seed(seed).build();
        PagedKvSequence memory = PagedKvSequence.open(pool, G, config);
        Random random = new Random(seed);
        KvFixtures.feed(memory, List.of(TokenInfo.pinnedText(0), TokenInfo.pinnedText(1)), random);
        long position = 2;
        for (int f = 0; f < 14; f++) {
            List<TokenInfo> block = new ArrayList<>(KvFixtures.frame(position, f, 3, 6));
            position += block.size();
            KvFixtures.feed(memory, block, random);
        }
        return memory;
    }

    private static byte[] snapshot(PagedKvSequence memory) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        memory.writeSnapshot(out);
        return out.toByteArray();
    }

    /** Pages from the shared pool, counted. */
    private static final class CountingPages implements PageSource {
        int held;

        @Override
        public KvPool.Page takePage() {
            held++;
            return pool.take();
        }

        @Override
        public void givePage(KvPool.Page page) {
            held--;
            pool.give(page);
        }

        @Override
        public int pageBytes() {
            return pool.pageBytes();
        }
    }

    /** The same policy, but its heads answer {@link HeadView#readRows} from whole-head {@code keys()/values()}. */
    private static final class WholeHeads extends PolicyWrapper {
        WholeHeads(CompressionPolicy inner) {
            super("whole-heads", inner);
        }

        @Override
        public String name() {
            return inner.name();   // the same policy: its snapshot must read the same
        }

        @Override
        public float[] score(HeadView head) {
            return inner.score(new Whole(head));
        }

        @Override
        public void select(LayerView layer, int[] keep, boolean[][] kept) {
            inner.select(wrap(layer), keep, kept);
        }

        @Override
        public void reclaim(LayerView layer, boolean[][] kept) {
            inner.reclaim(wrap(layer), kept);
        }

        private static LayerView wrap(LayerView layer) {
            return new LayerView() {
                @Override
                public int layer() {
                    return layer.layer();
                }

                @Override
                public int layers() {
                    return layer.layers();
                }

                @Override
                public int heads() {
                    return layer.heads();
                }

                @Override
                public HeadView head(int h) {
                    return new Whole(layer.head(h));
                }
            };
        }
    }

    /** Delegates everything but {@link HeadView#readRows}, which keeps the interface's whole-head default. */
    private record Whole(HeadView view) implements HeadView {
        @Override
        public int layer() {
            return view.layer();
        }

        @Override
        public int head() {
            return view.head();
        }

        @Override
        public int headDim() {
            return view.headDim();
        }

        @Override
        public int size() {
            return view.size();
        }

        @Override
        public TokenInfo token(int slot) {
            return view.token(slot);
        }

        @Override
        public int mergedSize(int slot) {
            return view.mergedSize(slot);
        }

        @Override
        public boolean isProtected(int slot) {
            return view.isProtected(slot);
        }

        @Override
        public int targetKeep() {
            return view.targetKeep();
        }

        @Override
        public float[] keys() {
            return view.keys();
        }

        @Override
        public float[] values() {
            return view.values();
        }

        @Override
        public float[] keyNorms() {
            return view.keyNorms();
        }

        @Override
        public float[] valueNorms() {
            return view.valueNorms();
        }

        @Override
        public float[] accumulatedAttention() {
            return view.accumulatedAttention();
        }

        @Override
        public float[] lastAttention() {
            return view.lastAttention();
        }

        @Override
        public float[] windowAttention() {
            return view.windowAttention();
        }

        @Override
        public long seed() {
            return view.seed();
        }

        @Override
        public void replace(int slot, float[] key, float[] value, int mergedSize) {
            view.replace(slot, key, value, mergedSize);
        }
    }
}
