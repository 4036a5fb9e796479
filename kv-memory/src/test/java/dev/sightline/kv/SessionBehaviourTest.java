package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pool admission, overlays and turns, and clear errors for bad input. */
class SessionBehaviourTest {

    private static final KvGeometry G = new KvGeometry(2, 2, 32, 4);
    private KvPool pool;

    @BeforeEach
    void pool() {
        pool = KvPool.allocate(4L << 20, 4096);
    }

    @AfterEach
    void free() {
        pool.close();
    }

    private PagedKvSequence open(String policy) {
        return PagedKvSequence.open(pool, G, KvMemoryConfig.builder(1L << 20).policy(policy)
                .watermarkTokens(200, 150).build());
    }

    private static byte[] snapshot(PagedKvSequence seq) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        seq.writeSnapshot(out);
        return out.toByteArray();
    }

    @Test
    void thePoolAdmitsSessionsOnlyWhileTheirBudgetsFitAndFreesEverythingOnClose() {
        PagedKvSequence a = open("h2o");
        PagedKvSequence b = open("knorm");
        PagedKvSequence c = open("knorm");
        PagedKvSequence d = open("knorm");
        assertThatThrownBy(() -> open("knorm")).isInstanceOf(KvBudgetExceededException.class)
                .hasMessageContaining("pool cannot admit");
        KvFixtures.feed(a, KvFixtures.frame(0, 0, 4, 4), new Random(1));
        assertThat(pool.usedBytes()).isPositive();
        a.close();
        b.close();
        c.close();
        d.close();
        assertThat(pool.usedBytes()).isZero();
        assertThat(pool.reservedBytes()).isZero();
        open("knorm").close();
    }

    @Test
    void anOverlayAnswersLikeTheDenseReferenceAndLeavesTheMemoryBitIdentical() throws IOException {
        try (PagedKvSequence memory = open("snapkv"); DenseKvSequence dense = new DenseKvSequence(G)) {
            for (int f = 0; f < 3; f++) {
                KvFixtures.feedBoth(memory, dense, KvFixtures.frame(f * 16L, f, 4, 4), f);
            }
            byte[] before = snapshot(memory);
            long nextBefore = memory.nextPosition();
            try (KvSequence qa = memory.overlay(); KvSequence qaDense = dense.overlay()) {
                assertThat(qa.nextPosition()).isEqualTo(nextBefore);
                for (int step = 0; step < 3; step++) {
                    List<TokenInfo> block = List.of(TokenInfo.text(qa.nextPosition()));
                    float[][][] outs = KvFixtures.feedBoth(qa, qaDense, block, 100 + step);
                    for (int l = 0; l < G.layers(); l++) {
                        assertThat(KvFixtures.maxAbsDiff(outs[0][l], outs[1][l])).isLessThan(5e-3f);
                    }
                }
                assertThat(qa.size()).isEqualTo(memory.size() + 3);
                assertThatThrownBy(() -> memory.beginBlock(List.of(TokenInfo.text(99))))
                        .hasMessageContaining("overlay");
            }
            // the question's attention lives only in SnapKV's window statistics, which the overlay may set;
            // everything else - pages, tokens, positions - is as before
            assertThat(memory.nextPosition()).isEqualTo(nextBefore);
            assertThat(memory.tokens()).hasSize(48);
            assertThat(before.length).isEqualTo(snapshot(memory).length);
        }
    }

    @Test
    void anOverlayOnAPolicyWithoutStatisticsLeavesTheSnapshotIdentical() throws IOException {
        try (PagedKvSequence memory = open("knorm")) {
            KvFixtures.feed(memory, KvFixtures.frame(0, 0, 4, 4), new Random(2));
            byte[] before = snapshot(memory);
            long used = memory.stats().usedBytes();
            try (KvSequence qa = memory.overlay()) {
                KvFixtures.feed(qa, List.of(TokenInfo.text(16), TokenInfo.text(17)), new Random(3));
                assertThat(memory.stats().usedBytes()).as("overlay pages count against the budget").isGreaterThan(used);
            }
            assertThat(memory.stats().usedBytes()).isEqualTo(used);
            assertThat(Arrays.equals(snapshot(memory), before)).isTrue();
        }
    }

    @Test
    void turnsKeepABoundedDialogueThatLaterQuestionsSee() {
        KvMemoryConfig config = KvMemoryConfig.builder(1L << 20).policy("knorm").watermarkTokens(200, 150)
                .dialogueTokens(5).build();
        try (PagedKvSequence memory = PagedKvSequence.open(pool, G, config)) {
            KvFixtures.feed(memory, KvFixtures.frame(0, 0, 2, 2), new Random(1));
            long position = memory.nextPosition();
            for (int turn = 0; turn < 3; turn++) {
                try (PagedKvSequence t = memory.turn()) {
                    KvFixtures.feed(t, List.of(TokenInfo.text(position), TokenInfo.text(position + 1),
                            TokenInfo.text(position + 2)), new Random(turn));
                    position += 3;
                }
            }
            assertThat(memory.dialogueSize()).isEqualTo(5);
            assertThat(memory.size()).isEqualTo(4);   // the memory itself never holds dialogue
            try (KvSequence question = memory.overlay()) {
                assertThat(question.size()).isEqualTo(4 + 5);
            }
            // the memory's own blocks continue after the dialogue's positions
            assertThat(memory.nextPosition()).isEqualTo(4);
        }
    }

    @Test
    void wrongShapesAndOrderAreRefusedClearly() {
        try (PagedKvSequence memory = open("knorm")) {
            memory.beginBlock(List.of(TokenInfo.text(0), TokenInfo.text(1)));
            assertThatThrownBy(() -> memory.store(0, new float[10], new float[128]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x 64");
            assertThatThrownBy(() -> memory.store(1, new float[128], new float[128]))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected layer 0");
            float[] nan = new float[128];
            nan[5] = Float.NaN;
            assertThatThrownBy(() -> memory.store(0, nan, new float[128]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
            assertThatThrownBy(() -> memory.attend(0, new float[256], new float[256]))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("must follow store");
            memory.store(0, new float[128], new float[128]);
            assertThatThrownBy(() -> memory.attend(0, new float[3], new float[256]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x 128");
            assertThatThrownBy(memory::endBlock).hasMessageContaining("1 of 2 layers");
            assertThatThrownBy(() -> memory.beginBlock(List.of(TokenInfo.text(5))))
                    .hasMessageContaining("not ended");
        }
    }

    @Test
    void positionsGoingBackwardsAreRefused() {
        try (PagedKvSequence memory = open("knorm")) {
            KvFixtures.feed(memory, List.of(TokenInfo.text(10), TokenInfo.text(11)), new Random(1));
            assertThatThrownBy(() -> memory.beginBlock(List.of(TokenInfo.text(5))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backwards")
                    .hasMessageContaining("after position 11");
            assertThatThrownBy(() -> memory.beginBlock(List.of(TokenInfo.text(20), TokenInfo.text(19))))
                    .hasMessageContaining("token 1");
            assertThatThrownBy(() -> memory.beginBlock(List.of()))
                    .hasMessageContaining("at least one token");
            KvFixtures.feed(memory, List.of(TokenInfo.text(12)), new Random(1));   // still usable
        }
    }

    @Test
    void badConfigurationIsRefusedClearly() {
        assertThatThrownBy(() -> Policies.byName("lru")).hasMessageContaining("unknown KV policy 'lru'")
                .hasMessageContaining("infinipot-v");
        assertThatThrownBy(() -> Policies.byName("mega:knorm")).hasMessageContaining("wrapper 'mega'");
        assertThatThrownBy(() -> PageFormat.byName("q3")).hasMessageContaining("unknown KV page format");
        assertThatThrownBy(() -> KvMemoryConfig.builder(1000).watermarkTokens(10, 20).build())
                .hasMessageContaining("low watermark");
        assertThatThrownBy(() -> PagedKvSequence.open(pool, new KvGeometry(1, 1, 48, 1),
                KvMemoryConfig.builder(100_000).format(PageFormat.KIVI2).build()))
                .hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> PagedKvSequence.open(pool, G,
                KvMemoryConfig.builder(100_000).watermarkTokens(5000, 100).build()))
                .hasMessageContaining("more than the budget");
        assertThat(pool.reservedBytes()).as("refused sessions reserve nothing").isZero();
        assertThatThrownBy(() -> KvPool.allocate(1000, 100)).hasMessageContaining("page size");
    }

    @Test
    void byteWatermarksConvertWithThePageFormat() {
        KvMemoryConfig f16 = KvMemoryConfig.builder(1L << 20).watermarkBytes(600_000, 300_000).build();
        KvMemoryConfig kivi = KvMemoryConfig.builder(1L << 20).format(PageFormat.KIVI2)
                .watermarkBytes(600_000, 300_000).build();
        try (PagedKvSequence a = PagedKvSequence.open(pool, G, f16);
             PagedKvSequence b = PagedKvSequence.open(pool, G, kivi)) {
            assertThat(a.estimateBytes(a.highWatermarkTokens())).isLessThanOrEqualTo(600_000);
            assertThat(a.estimateBytes(a.highWatermarkTokens() + 64)).isGreaterThan(600_000);
            assertThat(b.highWatermarkTokens()).isGreaterThan(2 * a.highWatermarkTokens());
        }
    }

    @Test
    void aKiviSessionKeepsTheNewest128TokensInF16() {
        KvGeometry one = new KvGeometry(1, 1, 32, 1);
        try (PagedKvSequence seq = PagedKvSequence.open(pool, one, KvMemoryConfig.builder(1L << 20)
                .format(PageFormat.KIVI2).policy("full").build())) {
            Random random = new Random(5);
            float[] keys = KvFixtures.gaussian(random, 300 * 32, 1);
            for (int b = 0; b < 3; b++) {
                List<TokenInfo> tokens = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    tokens.add(TokenInfo.text(b * 100L + i));
                }
                seq.beginBlock(tokens);
                seq.store(0, Arrays.copyOfRange(keys, b * 3200, (b + 1) * 3200), new float[3200]);
                seq.attend(0, new float[3200], new float[3200]);
                seq.endBlock();
            }
            float[] held = seq.headKeysValues(0, 0)[0];
            // the newest 128 (or up to a group more) are exact to f16; the old ones are 2-bit
            for (int i = 300 - 128; i < 300; i++) {
                for (int d = 0; d < 32; d++) {
                    float original = keys[i * 32 + d];
                    assertThat(held[i * 32 + d]).isCloseTo(original, org.assertj.core.data.Offset.offset(2e-3f));
                }
            }
            float oldError = KvFixtures.maxAbsDiff(Arrays.copyOf(held, 100 * 32), Arrays.copyOf(keys, 100 * 32));
            assertThat(oldError).isGreaterThan(0.05f);
        }
    }

    @Test
    void mRopeTokensCarryTheirThreeIndicesThroughSnapshots() throws IOException {
        try (PagedKvSequence memory = open("knorm")) {
            // a 2x2 frame at temporal index 5: h and w run past it, the next text starts above all indices
            List<TokenInfo> frame = new java.util.ArrayList<>();
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 2; c++) {
                    frame.add(TokenInfo.video(5, 0, 0, r, c, 1).withMRope(5, 5 + r, 5 + c));
                }
            }
            KvFixtures.feed(memory, frame, new Random(1));
            assertThat(memory.nextPosition()).isEqualTo(7);
            // the next frame's temporal index (6) is below nextPosition but not going backwards
            List<TokenInfo> next = List.of(TokenInfo.video(6, 1, 1, 0, 0, 1).withMRope(6, 6, 6));
            KvFixtures.feed(memory, next, new Random(2));
            byte[] bytes = snapshot(memory);
            try (PagedKvSequence restored = PagedKvSequence.restore(pool, new java.io.ByteArrayInputStream(bytes))) {
                assertThat(restored.tokens()).isEqualTo(memory.tokens());
                assertThat(restored.tokens().getFirst().ropeH()).isEqualTo(5);
                assertThat(restored.tokens().get(3).ropeW()).isEqualTo(6);
                assertThat(restored.nextPosition()).isEqualTo(7);
                assertThatThrownBy(() -> restored.beginBlock(List.of(TokenInfo.text(5))))
                        .hasMessageContaining("backwards");
            }
        }
        assertThatThrownBy(() -> TokenInfo.text(0).withMRope(1, -1, 2)).hasMessageContaining("M-RoPE");
    }
}
