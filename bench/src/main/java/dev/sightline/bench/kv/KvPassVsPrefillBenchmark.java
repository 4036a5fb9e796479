package dev.sightline.bench.kv;

import dev.sightline.bench.model.RandomCheckpoints;
import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.model.Model;
import dev.sightline.model.TextDecoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The yardstick, side by side in one run: one compression pass against the model's real prefill of one
 * frame (64 tokens through the whole decoder: norms, projections, RoPE, attention over the memory, KV writes, MLPs).
 *
 * <p>The decoder is a random BF16 checkpoint with SmolVLM2-256M's text shapes (hidden 576, 30 layers, 9 heads, 3 KV
 * heads of 64, MLP 1536); the vocabulary is cut to 512 since no logits are computed (it only sizes the embedding
 * table). {@code prefillFrame} runs {@link TextDecoder#forward} with {@code Logits.NONE} over a paged F16 memory
 * holding |C| = 1024 tokens per head; {@code compress} runs one pass from |M| = 1536 down to |C|, per policy. Each
 * invocation starts from a restored snapshot, so neither sees the other's leftovers. The decoder uses the engine's
 * default threads (one per core), and so does a compression pass ({@code KvMemoryConfig.compressionThreads}).
 *
 * <p>The memories are filled the way a prefill fills them: each frame's block stores its keys and values and
 * attends with its (random) queries, so policies that rank by attention (H2O, SnapKV, StreamMem) see real
 * statistics and make real, scattered choices rather than ties.
 *
 * <p>The policy parameter lives on the pass's state only, so the prefill runs once rather than once per policy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx3g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class KvPassVsPrefillBenchmark {

    static final int FRAME_TOKENS = 64;
    static final int HIGH = 1536;
    static final int LOW = 1024;
    static final int VOCAB = 512;

    /** A memory at |M| for one pass of one policy. */
    @State(Scope.Benchmark)
    public static class Pass {
        @Param({"infinipot-v", "recent-frames", "streammem", "knorm", "adakv:snapkv", "h2o", "uniform-frames",
                "chunkkv:infinipot-v", "chunkkv:knorm"})
        public String policy;

        KvPool pool;
        byte[] atHigh;
        PagedKvSequence memory;

        @Setup(Level.Trial)
        public void fill() throws IOException {
            pool = KvPool.allocate(256L << 20);
            atHigh = filled(pool, policy, HIGH);
        }

        @Setup(Level.Invocation)
        public void restore() throws IOException {
            memory = PagedKvSequence.restore(pool, new ByteArrayInputStream(atHigh));
        }

        @TearDown(Level.Invocation)
        public void close() {
            memory.close();
        }

        @TearDown(Level.Trial)
        public void free() {
            pool.close();
        }
    }

    /**
     * The decoder and a memory at |C| for one frame's prefill. The memory's policy decides what a store computes:
     * InfiniPot-V keeps each token's key and value norms (computed at store time), recent-frames does not, so the
     * two show what the norms add to a frame.
     */
    @State(Scope.Benchmark)
    public static class Frame {
        @Param({"infinipot-v", "recent-frames"})
        public String memoryPolicy;

        Model model;
        TextDecoder decoder;
        float[] embeddings;
        KvBenchSupport.Block block;
        KvPool pool;
        byte[] atLow;
        PagedKvSequence memory;

        @Setup(Level.Trial)
        public void load() throws IOException {
            model = Model.load(textDecoder(Path.of(System.getProperty("java.io.tmpdir"),
                    "sightline-bench-kv", "smolvlm2-256m-text-v512")));
            decoder = model.decoder();
            if (!decoder.geometry().equals(KvBenchSupport.SMOLVLM2_256M)) {
                throw new IllegalStateException("decoder geometry " + decoder.geometry());
            }
            embeddings = decoder.embed(new SplittableRandom(7).ints(FRAME_TOKENS, 0, VOCAB).toArray());
            pool = KvPool.allocate(256L << 20);
            block = KvBenchSupport.Block.random(KvBenchSupport.SMOLVLM2_256M, FRAME_TOKENS, 9999);
            atLow = filled(pool, memoryPolicy, LOW);
        }

        @Setup(Level.Invocation)
        public void restore() throws IOException {
            memory = PagedKvSequence.restore(pool, new ByteArrayInputStream(atLow));
        }

        @TearDown(Level.Invocation)
        public void close() {
            memory.close();
        }

        @TearDown(Level.Trial)
        public void free() {
            pool.close();
            model.close();
        }
    }

    @Benchmark
    public int compress(Pass state) {
        state.memory.compressTo(LOW);
        return state.memory.size();
    }

    @Benchmark
    public long prefillFrame(Frame state) {
        PagedKvSequence seq = state.memory;
        state.decoder.forward(state.embeddings, KvBenchSupport.frame(seq.nextPosition(), 9999, FRAME_TOKENS), seq,
                TextDecoder.Logits.NONE);
        return seq.nextPosition();
    }

    /** Only the KV store's part of taking a frame: its keys and values stored in all 30 layers, no attention. */
    @Benchmark
    public long storeFrame(Frame state) {
        PagedKvSequence seq = state.memory;
        state.block.store(seq, KvBenchSupport.frame(seq.nextPosition(), 9999, FRAME_TOKENS));
        return seq.nextPosition();
    }

    /**
     * A snapshot of a memory filled with random 64-token frames (stored and attended, as in a prefill) until it
     * holds {@code tokens} tokens per head.
     */
    static byte[] filled(KvPool pool, String policy, int tokens) throws IOException {
        KvMemoryConfig config = KvMemoryConfig.builder(96L << 20).policy(policy).format(PageFormat.F16)
                .watermarkTokens(HIGH + FRAME_TOKENS, LOW).recentWindow(FRAME_TOKENS).build();
        try (PagedKvSequence seq = PagedKvSequence.open(pool, KvBenchSupport.SMOLVLM2_256M, config)) {
            int frames = 0;
            while (seq.stats().meanTokensPerHead() < tokens) {
                KvBenchSupport.Block.random(seq.geometry(), FRAME_TOKENS, frames)
                        .feed(seq, KvBenchSupport.frame(seq.nextPosition(), frames, FRAME_TOKENS));
                frames++;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            seq.writeSnapshot(out);
            return out.toByteArray();
        }
    }


    /** SmolVLM2-256M's text decoder (SmolLM2-135M's shapes) with a small vocabulary, written once. */
    static Path textDecoder(Path dir) {
        try {
            return RandomCheckpoints.smolLm2(dir, VOCAB);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
