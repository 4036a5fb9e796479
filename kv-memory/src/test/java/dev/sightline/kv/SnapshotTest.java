package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** A session's memory round-trips through a snapshot bit for bit; corrupted snapshots fail clearly. */
class SnapshotTest {

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
    Arbitrary<String> policies() {
        return Arbitraries.of("infinipot-v", "streammem", "h2o", "random", "adakv:snapkv", "recent-frames", "knorm");
    }

    private static PagedKvSequence stream(String policy, PageFormat format, int frames, int seed) {
        return stream(policy, format, frames, seed, 1);
    }

    private static PagedKvSequence stream(String policy, PageFormat format, int frames, int seed, int threads) {
        KvMemoryConfig config = KvMemoryConfig.builder(600_000).format(format).policy(policy)
                .watermarkTokens(120, 80).recentWindow(10).seed(seed).compressionThreads(threads).build();
        PagedKvSequence memory = PagedKvSequence.open(pool, G, config);
        Random random = new Random(seed);
        KvFixtures.feed(memory, List.of(TokenInfo.pinnedText(0), TokenInfo.pinnedText(1)), random);
        long position = 2;
        for (int f = 0; f < frames; f++) {
            List<TokenInfo> block = KvFixtures.frame(position, f, 3, 6);
            position += block.size();
            KvFixtures.feed(memory, block, random);
        }
        try (PagedKvSequence turn = memory.turn()) {
            KvFixtures.feed(turn, List.of(TokenInfo.text(position), TokenInfo.text(position + 1)), random);
        }
        return memory;
    }

    private static byte[] snapshot(PagedKvSequence memory) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        memory.writeSnapshot(out);
        return out.toByteArray();
    }

    @Property(tries = 24)
    void aRestoredSessionIsIdenticalAndBehavesIdentically(@ForAll("policies") String policy,
                                                          @ForAll PageFormat format,
                                                          @ForAll @IntRange(min = 1, max = 14) int frames,
                                                          @ForAll @IntRange(min = 0, max = 1000) int seed)
            throws IOException {
        try (PagedKvSequence original = stream(policy, format, frames, seed)) {
            byte[] bytes = snapshot(original);
            try (PagedKvSequence restored = PagedKvSequence.restore(pool, new ByteArrayInputStream(bytes))) {
                assertThat(Arrays.equals(snapshot(restored), bytes)).as("re-snapshot identical").isTrue();
                assertThat(restored.tokens()).isEqualTo(original.tokens());
                assertThat(restored.nextPosition()).isEqualTo(original.nextPosition());
                assertThat(restored.dialogueSize()).isEqualTo(original.dialogueSize());
                KvStats a = original.stats();
                KvStats b = restored.stats();
                assertThat(b.usedBytes()).isEqualTo(a.usedBytes());
                assertThat(b.compressions()).isEqualTo(a.compressions());
                assertThat(b.tokensPerLayerHead()).isDeepEqualTo(a.tokensPerLayerHead());
                for (int l = 0; l < G.layers(); l++) {
                    for (int h = 0; h < G.kvHeads(); h++) {
                        float[][] x = original.headKeysValues(l, h);
                        float[][] y = restored.headKeysValues(l, h);
                        assertThat(Arrays.equals(x[0], y[0]) && Arrays.equals(x[1], y[1])).isTrue();
                    }
                }
                // the same next frames give the same outputs and the same compressions
                for (int f = 0; f < 6; f++) {
                    List<TokenInfo> block = KvFixtures.frame(original.nextPosition(), frames + f, 3, 6);
                    float[][][] outs = KvFixtures.feedBoth(original, restored, block, seed * 31L + f);
                    assertThat(outs[1]).isDeepEqualTo(outs[0]);
                }
                assertThat(Arrays.equals(snapshot(restored), snapshot(original))).as("identical after more frames").isTrue();
            }
        }
    }

    @Property(tries = 12)
    void passesOnSeveralThreadsLeaveTheSameMemoryAsOnOne(@ForAll("policies") String policy,
                                                        @ForAll PageFormat format,
                                                        @ForAll @IntRange(min = 0, max = 1000) int seed)
            throws IOException {
        try (PagedKvSequence one = stream(policy, format, 14, seed, 1);
             PagedKvSequence three = stream(policy, format, 14, seed, 3)) {
            assertThat(three.stats().compressions()).isPositive();
            assertThat(Arrays.equals(snapshot(three), snapshot(one))).as("same snapshot on 1 and 3 threads").isTrue();
            assertThat(three.stats().usedBytes()).isEqualTo(one.stats().usedBytes());
        }
    }

    @Example
    void corruptedSnapshotsFailClearlyAndLeakNothing() throws IOException {
        byte[] bytes;
        try (PagedKvSequence memory = stream("infinipot-v", PageFormat.KIVI4, 8, 3)) {
            bytes = snapshot(memory);
        }
        long reserved = pool.reservedBytes();

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        assertThatThrownBy(() -> PagedKvSequence.restore(pool, new ByteArrayInputStream(flipped)))
                .isInstanceOf(KvSnapshotException.class).hasMessageContaining("corrupted");

        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 100);
        assertThatThrownBy(() -> PagedKvSequence.restore(pool, new ByteArrayInputStream(truncated)))
                .isInstanceOf(KvSnapshotException.class).hasMessageContaining("truncated");

        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> PagedKvSequence.restore(pool, new ByteArrayInputStream(badMagic)))
                .isInstanceOf(KvSnapshotException.class).hasMessageContaining("magic");

        byte[] future = bytes.clone();
        future[7] = 99;
        assertThatThrownBy(() -> PagedKvSequence.restore(pool, new ByteArrayInputStream(future)))
                .isInstanceOf(KvSnapshotException.class).hasMessageContaining("version 99");

        assertThatThrownBy(() -> PagedKvSequence.restore(pool, new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(KvSnapshotException.class);

        assertThat(pool.reservedBytes()).isEqualTo(reserved);
        assertThat(pool.usedBytes()).isZero();
    }

    @Example
    void aSnapshotNeedsAQuietMemory() {
        try (PagedKvSequence memory = stream("h2o", PageFormat.F16, 2, 1)) {
            try (KvSequence overlay = memory.overlay()) {
                assertThatThrownBy(() -> memory.writeSnapshot(new ByteArrayOutputStream()))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("overlay");
            }
        }
    }
}
