package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Policies on hand-built keys and values where the right choice is known. */
class PolicyChoiceTest {

    private static final int DIM = 32;
    private static final KvGeometry ONE_HEAD = new KvGeometry(1, 1, DIM, 1);
    private static KvPool pool;

    @BeforeAll
    static void pool() {
        pool = KvPool.allocate(16L << 20, 4096);
    }

    @AfterAll
    static void free() {
        pool.close();
    }

    private static PagedKvSequence open(KvGeometry g, CompressionPolicy policy) {
        // watermarks high enough that only explicit compressTo calls compress
        return PagedKvSequence.open(pool, g, KvMemoryConfig.builder(2_000_000).policy(policy)
                .watermarkTokens(1000, 500).recentWindow(0).build());
    }

    /** One block, keys and values given per token (same for every head and layer), queries as given or zero. */
    private static void feed(PagedKvSequence seq, List<TokenInfo> tokens, IntFunction<float[]> key,
                             IntFunction<float[]> value, IntFunction<float[]> query) {
        KvGeometry g = seq.geometry();
        int n = tokens.size();
        seq.beginBlock(tokens);
        for (int l = 0; l < g.layers(); l++) {
            float[] k = new float[n * g.kvDim()];
            float[] v = new float[n * g.kvDim()];
            float[] q = new float[n * g.queryDim()];
            for (int i = 0; i < n; i++) {
                for (int h = 0; h < g.kvHeads(); h++) {
                    System.arraycopy(key.apply(i), 0, k, i * g.kvDim() + h * DIM, DIM);
                    System.arraycopy(value.apply(i), 0, v, i * g.kvDim() + h * DIM, DIM);
                }
                for (int h = 0; h < g.queryHeads(); h++) {
                    System.arraycopy(query.apply(i), 0, q, i * g.queryDim() + h * DIM, DIM);
                }
            }
            seq.store(l, k, v);
            seq.attend(l, q, new float[q.length]);
        }
        seq.endBlock();
    }

    private static float[] basis(int axis, float scale) {
        float[] a = new float[DIM];
        a[axis % DIM] = scale;
        return a;
    }

    private static float[] constant(float x) {
        float[] a = new float[DIM];
        java.util.Arrays.fill(a, x);
        return a;
    }

    private static List<TokenInfo> texts(long from, int n) {
        List<TokenInfo> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TokenInfo.text(from + i));
        }
        return out;
    }

    /** 8 frames of 2x2 patches; patch (0,1) changes every frame, the other three are static. */
    private static PagedKvSequence patchStream(CompressionPolicy policy, float changedValueNorm) {
        PagedKvSequence seq = open(ONE_HEAD, policy);
        Random random = new Random(7);
        for (int f = 0; f < 8; f++) {
            List<TokenInfo> frame = KvFixtures.frame(f * 4L, f, 2, 2);
            float[][] keys = new float[4][];
            for (int p = 0; p < 4; p++) {
                keys[p] = p == 1 ? KvFixtures.gaussian(random, DIM, 1) : basis(p * 5, 1);
            }
            feed(seq, frame, i -> keys[i], i -> i == 1 ? constant(changedValueNorm) : constant(0.1f),
                    i -> new float[DIM]);
        }
        return seq;
    }

    @Test
    void tarKeepsThePatchThatChangedAndDropsTheStaticOnes() {
        try (PagedKvSequence seq = patchStream(Policies.infiniPotV(1.0, 0.25), 0.1f)) {
            seq.compressTo(8 + 6);   // the 2 recent frames whole, plus 6 past tokens chosen by TaR
            List<TokenInfo> kept = seq.tokens(0, 0);
            assertThat(kept).hasSize(14);
            for (TokenInfo t : kept) {
                if (t.frameIndex() < 6) {
                    assertThat(t.patchCol()).as("past token of frame %d", t.frameIndex()).isEqualTo(1);
                    assertThat(t.patchRow()).isZero();
                }
            }
            assertThat(kept.stream().filter(t -> t.frameIndex() >= 6)).hasSize(8);
        }
    }

    @Test
    void tarStaysAlignedAfterAnEarlierCompressionRemovedTokens() {
        try (PagedKvSequence seq = patchStream(Policies.infiniPotV(1.0, 0.25), 0.1f)) {
            seq.compressTo(20);
            seq.compressTo(14);
            for (TokenInfo t : seq.tokens(0, 0)) {
                if (t.frameIndex() < 6) {
                    assertThat(t.patchCol()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void vanKeepsLargeValueNorms() {
        try (PagedKvSequence seq = patchStream(Policies.infiniPotV(0.0, 0.25), 3f)) {
            seq.compressTo(8 + 6);
            for (TokenInfo t : seq.tokens(0, 0)) {
                if (t.frameIndex() < 6) {
                    assertThat(t.patchCol()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void infiniPotVDefaultSplitsTheBudgetBetweenTarAndVan() {
        // TaR (alpha = 0.5) would take the changed patch; VaN gets static patch (1,1) by giving it large values
        PagedKvSequence seq = open(ONE_HEAD, Policies.byName("infinipot-v"));
        Random random = new Random(3);
        for (int f = 0; f < 8; f++) {
            float[][] keys = new float[4][];
            for (int p = 0; p < 4; p++) {
                keys[p] = p == 1 ? KvFixtures.gaussian(random, DIM, 1) : basis(p * 5, 1);
            }
            feed(seq, KvFixtures.frame(f * 4L, f, 2, 2), i -> keys[i], i -> i == 3 ? constant(5) : constant(0.1f),
                    i -> new float[DIM]);
        }
        seq.compressTo(8 + 12);   // TaR share round(0.5 * 20) - 8 = 2 changed tokens; VaN takes the loud patch
        long loud = seq.tokens(0, 0).stream().filter(t -> t.frameIndex() < 6 && t.patchRow() == 1
                && t.patchCol() == 1).count();
        assertThat(loud).isEqualTo(6);
        long changedToo = seq.tokens(0, 0).stream().filter(t -> t.frameIndex() < 6 && t.patchCol() == 1
                && t.patchRow() == 0).count();
        assertThat(changedToo).isGreaterThanOrEqualTo(2);
        seq.close();
        // with quiet values everywhere, TaR's picks are still the changed patch
        PagedKvSequence again = patchStream(Policies.byName("infinipot-v"), 0.1f);
        again.compressTo(8 + 12);
        long changedKept = again.tokens(0, 0).stream().filter(t -> t.frameIndex() < 6 && t.patchCol() == 1
                && t.patchRow() == 0).count();
        assertThat(changedKept).isGreaterThanOrEqualTo(2);
        again.close();
    }

    @Test
    void streamingLlmKeepsTheSinksAndTheWindow() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("streaming-llm"))) {
            feed(seq, texts(0, 40), i -> basis(i, 1), i -> basis(i, 1), i -> new float[DIM]);
            KvStats before = seq.stats();
            long poolBefore = pool.usedBytes();
            seq.compressTo(12);
            assertThat(seq.tokens(0, 0)).extracting(TokenInfo::position)
                    .containsExactly(0L, 1L, 2L, 3L, 32L, 33L, 34L, 35L, 36L, 37L, 38L, 39L);
            // evicted pages go back to the pool, not masked
            KvStats after = seq.stats();
            assertThat(after.pages()).isLessThan(before.pages());
            assertThat(pool.usedBytes()).isEqualTo(poolBefore - (long) (before.pages() - after.pages()) * 4096);
            assertThat(after.evictedSlots()).isEqualTo(28);
            assertThat(after.droppedTokens()).isEqualTo(28);
        }
    }

    @Test
    void recentFramesKeepsTheNewestWholeFrames() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("recent-frames"))) {
            for (int f = 0; f < 6; f++) {
                feed(seq, KvFixtures.frame(f * 5L, f, 1, 5), i -> basis(i, 1), i -> basis(i, 1), i -> new float[DIM]);
            }
            seq.compressTo(12);
            assertThat(seq.tokens(0, 0)).extracting(TokenInfo::frameIndex).containsOnly(4, 5).hasSize(10);
        }
    }

    @Test
    void uniformFramesSpreadsOverTime() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("uniform-frames"))) {
            for (int f = 0; f < 10; f++) {
                feed(seq, KvFixtures.frame(f * 4L, f, 2, 2), i -> basis(i, 1), i -> basis(i, 1), i -> new float[DIM]);
            }
            seq.compressTo(12);
            assertThat(seq.tokens(0, 0)).extracting(TokenInfo::frameIndex).containsOnly(0, 4, 9).hasSize(12);
        }
    }

    @Test
    void wholeFramesThatFillPagesMoveByPageAndKeepTheirBytes() {
        // 32-float heads in F16 take 128 bytes a token, so a 4096-byte page holds exactly one 4 x 8 frame: evicting
        // whole frames in the middle moves later pages by relinking them, not by copying their bytes
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("uniform-frames"))) {
            for (int f = 0; f < 10; f++) {
                int frame = f;
                feed(seq, KvFixtures.frame(f * 32L, f, 4, 8), i -> constant(frame * 32 + i),
                        i -> constant(-(frame * 32 + i)), i -> new float[DIM]);
            }
            int pagesBefore = seq.stats().pages();
            seq.compressTo(96);
            List<TokenInfo> kept = seq.tokens(0, 0);
            assertThat(kept).extracting(TokenInfo::frameIndex).containsOnly(0, 4, 9).hasSize(96);
            assertThat(seq.stats().pages()).isEqualTo(pagesBefore - 7);
            float[][] kv = seq.headKeysValues(0, 0);
            for (int j = 0; j < kept.size(); j++) {
                float position = kept.get(j).position();
                assertThat(kv[0][j * DIM]).as("key of slot %d", j).isEqualTo(position);
                assertThat(kv[1][j * DIM + DIM - 1]).as("value of slot %d", j).isEqualTo(-position);
            }
            // and the memory keeps working on the relinked pages
            feed(seq, KvFixtures.frame(320, 10, 4, 8), i -> constant(320 + i), i -> constant(-(320 + i)),
                    i -> new float[DIM]);
            assertThat(seq.headKeysValues(0, 0)[0][96 * DIM]).isEqualTo(320f);
        }
    }

    @Test
    void kNormKeepsSmallKeyNorms() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("knorm"))) {
            feed(seq, texts(0, 20), i -> basis(i, i % 2 == 0 ? 0.5f : 4f), i -> basis(i, 1), i -> new float[DIM]);
            seq.compressTo(10);
            assertThat(seq.tokens(0, 0)).extracting(t -> t.position() % 2).containsOnly(0L);
        }
    }

    /** Records what a pass sees of the first head's norms, and keeps the odd slots. */
    private static final class NormProbe implements CompressionPolicy {
        private final boolean stored;
        float[] keyNorms;
        float[] valueNorms;

        NormProbe(boolean stored) {
            this.stored = stored;
        }

        @Override
        public String name() {
            return "norm-probe";
        }

        @Override
        public boolean needsTokenNorms() {
            return stored;
        }

        @Override
        public float[] score(HeadView head) {
            keyNorms = java.util.Arrays.copyOf(head.keyNorms(), head.size());
            valueNorms = java.util.Arrays.copyOf(head.valueNorms(), head.size());
            float[] s = new float[head.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = i % 2;
            }
            return s;
        }
    }

    @Test
    void normsAreTakenWhenStoredFollowCompactionAndAreChargedToTheBudget() {
        // keys and values F16 cannot hold exactly, so stored norms are told apart from norms of the decoded pages
        IntFunction<float[]> key = i -> constant((i + 1) / 7f + 0.001f);
        IntFunction<float[]> value = i -> constant((2 * i + 1) / 7f + 0.001f);
        boolean decodedDiffers = false;
        NormProbe stored = new NormProbe(true);
        NormProbe decoded = new NormProbe(false);
        long[] metadata = new long[2];
        int p = 0;
        for (NormProbe probe : List.of(stored, decoded)) {
            try (PagedKvSequence seq = open(ONE_HEAD, probe)) {
                feed(seq, texts(0, 12), key, value, i -> new float[DIM]);
                metadata[p++] = seq.stats().metadataBytes();
                seq.compressTo(6);      // keeps the odd slots 1, 3, .., 11
                seq.compressTo(3);      // sees them in their new slots 0..5
                for (int j = 0; j < 6; j++) {
                    int token = 2 * j + 1;
                    float k = AttentionKernel.norm(key.apply(token), 0, DIM);
                    float v = AttentionKernel.norm(value.apply(token), 0, DIM);
                    if (probe == stored) {
                        assertThat(probe.keyNorms[j]).as("stored key norm of token %d", token).isEqualTo(k);
                        assertThat(probe.valueNorms[j]).as("stored value norm of token %d", token).isEqualTo(v);
                    } else {
                        // computed from the F16 pages: close, not equal
                        assertThat(probe.keyNorms[j]).isCloseTo(k, org.assertj.core.data.Offset.offset(1e-2f * k));
                        decodedDiffers |= probe.keyNorms[j] != k;
                    }
                }
            }
        }
        assertThat(decodedDiffers).as("norms of decoded F16 pages differ from the stored ones").isTrue();
        // two floats per head slot, 12 slots in one head
        assertThat(metadata[0] - metadata[1]).isEqualTo(12L * Region.NORM_SLOT_BYTES);
    }

    @Test
    void policiesThatRankByNormsAskForThemThroughWrappers() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.infiniPotV(0.5, 0.25))) {
            assertThat(seq.config().policy().needsTokenNorms()).isTrue();
        }
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.chunkKv(Policies.byName("knorm"), 4))) {
            assertThat(seq.config().policy().needsTokenNorms()).as("wrappers pass the need on").isTrue();
        }
    }

    @Test
    void h2oKeepsHeavyHittersAndTovaFollowsTheLastQuery() {
        for (String name : List.of("h2o", "tova")) {
            try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName(name))) {
                feed(seq, texts(0, 16), i -> basis(i, 1), i -> basis(i, 1), i -> new float[DIM]);
                // every later query looks at token 3; the very last one at token 9
                feed(seq, texts(16, 8), i -> basis(20, 0.01f), i -> basis(0, 1),
                        i -> i == 7 ? basis(9, 40) : basis(3, 40));
                seq.compressTo(4);
                List<Long> kept = seq.tokens(0, 0).stream().map(TokenInfo::position).toList();
                assertThat(kept).as(name).contains(name.equals("h2o") ? 3L : 9L);
            }
        }
    }

    @Test
    void snapKvIsQueryAwareThroughAnOverlay() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("snapkv"))) {
            feed(seq, texts(0, 30), i -> basis(i, 1), i -> basis(i, 1), i -> new float[DIM]);
            try (KvSequence question = seq.overlay()) {
                feedAny(question, texts(30, 3), basis(17, 40));
            }
            seq.compressTo(5);
            assertThat(seq.tokens(0, 0)).extracting(TokenInfo::position).contains(17L);
        }
    }

    private static void feedAny(KvSequence seq, List<TokenInfo> tokens, float[] query) {
        int n = tokens.size();
        seq.beginBlock(tokens);
        seq.store(0, new float[n * DIM], new float[n * DIM]);
        float[] q = new float[n * DIM];
        for (int i = 0; i < n; i++) {
            System.arraycopy(query, 0, q, i * DIM, DIM);
        }
        seq.attend(0, q, new float[q.length]);
        seq.endBlock();
    }

    @Test
    void streamMemMergesEachFramesEvictedTokensIntoOnePrototype() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.byName("streammem"))) {
            for (int f = 0; f < 4; f++) {
                int frame = f;
                feed(seq, KvFixtures.frame(f * 6L, f, 2, 3), i -> basis(frame * 6 + i, 1),
                        i -> constant(frame * 6 + i), i -> new float[DIM]);
            }
            seq.compressTo(8);
            int[] merged = seq.headMergedSizes(0, 0);
            List<TokenInfo> kept = seq.tokens(0, 0);
            assertThat(kept).hasSizeLessThanOrEqualTo(8);
            int total = 0;
            for (int m : merged) {
                total += m;
            }
            assertThat(total).as("prototypes stand for everything evicted").isEqualTo(24);
            assertThat(java.util.Arrays.stream(merged).anyMatch(m -> m > 1)).isTrue();
            // a prototype's value is an average of its frame's values, so it lies within the frame's range
            float[][] kv = seq.headKeysValues(0, 0);
            for (int s = 0; s < kept.size(); s++) {
                if (merged[s] > 1) {
                    int f = kept.get(s).frameIndex();
                    assertThat(kv[1][s * DIM]).isBetween(f * 6f - 0.01f, f * 6f + 5.01f);
                }
            }
        }
    }

    @Test
    void adaKvMovesBudgetToTheHeadThatNeedsIt() {
        KvGeometry twoHeads = new KvGeometry(1, 2, DIM, 2);
        try (PagedKvSequence seq = open(twoHeads, Policies.adaKv(Policies.byName("knorm"), 0.2))) {
            // head 0: every key large (low KNorm score); head 1: every key small
            int n = 20;
            seq.beginBlock(texts(0, n));
            float[] k = new float[n * 2 * DIM];
            for (int i = 0; i < n; i++) {
                k[i * 2 * DIM + (i % DIM)] = 5f;
                k[i * 2 * DIM + DIM + (i % DIM)] = 0.2f;
            }
            seq.store(0, k, KvFixtures.gaussian(new Random(1), n * 2 * DIM, 1));
            seq.attend(0, new float[n * 2 * DIM], new float[n * 2 * DIM]);
            seq.endBlock();
            seq.compressTo(10);
            assertThat(seq.headSize(0, 0) + seq.headSize(0, 1)).isEqualTo(20);
            assertThat(seq.headSize(0, 0)).isEqualTo(2);   // the safeguard: 20% of its own 10
            assertThat(seq.headSize(0, 1)).isEqualTo(18);
        }
    }

    @Test
    void pyramidKvKeepsLessInDeeperLayers() {
        KvGeometry layers = new KvGeometry(4, 1, DIM, 1);
        try (PagedKvSequence seq = open(layers, Policies.pyramidKv(Policies.byName("knorm"), 4))) {
            feed(seq, texts(0, 60), i -> basis(i, 1 + i % 3), i -> basis(i, 1), i -> new float[DIM]);
            seq.compressTo(20);
            int[] sizes = {seq.headSize(0, 0), seq.headSize(1, 0), seq.headSize(2, 0), seq.headSize(3, 0)};
            assertThat(sizes).containsExactly(32, 24, 16, 8);
            assertThat(seq.stats().meanTokensPerHead()).isEqualTo(20.0);
        }
    }

    @Test
    void chunkKvKeepsWholeFrames() {
        try (PagedKvSequence seq = open(ONE_HEAD, Policies.chunkKv(Policies.byName("knorm"), 20))) {
            for (int f = 0; f < 6; f++) {
                float norm = f % 2 == 0 ? 0.5f : 3f;
                feed(seq, KvFixtures.frame(f * 4L, f, 2, 2), i -> basis(i, norm), i -> basis(i, 1),
                        i -> new float[DIM]);
            }
            seq.compressTo(12);
            assertThat(seq.tokens(0, 0)).extracting(TokenInfo::frameIndex).containsOnly(0, 2, 4).hasSize(12);
        }
    }

    @Test
    void randomIsReproducibleBySeed() {
        List<List<TokenInfo>> runs = new ArrayList<>();
        for (long seed : new long[] {1, 1, 2}) {
            try (PagedKvSequence seq = PagedKvSequence.open(pool, ONE_HEAD, KvMemoryConfig.builder(2_000_000)
                    .policy("random").watermarkTokens(1000, 500).recentWindow(0).seed(seed).build())) {
                feed(seq, texts(0, 40), i -> basis(i, 1), i -> basis(i, 1), i -> new float[DIM]);
                seq.compressTo(10);
                runs.add(seq.tokens(0, 0));
            }
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1)).isNotEqualTo(runs.get(2));
    }

    @Test
    void everyNamedPolicyResolvesAndRoundTripsItsName() {
        for (String name : Policies.NAMES) {
            assertThat(Policies.byName(name).name()).isEqualTo(name);
            for (String wrapper : Policies.WRAPPERS) {
                assertThat(Policies.byName(wrapper + ":" + name).name()).isEqualTo(wrapper + ":" + name);
            }
        }
        assertThat(Policies.byName(" InfiniPot-V ").name()).isEqualTo("infinipot-v");
    }
}
