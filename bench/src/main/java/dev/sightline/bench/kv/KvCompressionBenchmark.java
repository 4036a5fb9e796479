package dev.sightline.bench.kv;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.PagedKvSequence;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * One compression pass against one frame's prefill through the KV store, side by side in one run.
 *
 * <p>The memory is a SmolVLM2-256M-like decoder (30 layers, 3 KV heads of 64, 9 query heads) streaming 64-token
 * frames, compressing from |M| = 1536 to |C| = 1024 tokens per head. {@code compress} times one pass at |M|;
 * {@code prefillFrame} times storing and attending one frame's tokens in all 30 layers over a memory at |C| (the
 * attention and KV work of a frame's prefill, not the model's projections and MLPs). Each invocation starts from the
 * same restored snapshot, so no measurement sees another's leftovers. Setup fills the memory by storing without
 * attending (attention statistics stay zero; the scoring work per pass is the same).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx3g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class KvCompressionBenchmark {

    static final int FRAME_TOKENS = 64;
    static final int HIGH = 1536;
    static final int LOW = 1024;

    /** Scored policies; {@code prefillFrame} does not depend on the policy, so it runs with the first only. */
    @Param({"infinipot-v", "recent-frames", "streammem", "knorm", "adakv:snapkv"})
    public String policy;

    @Param({"F16"})
    public String format;

    private KvPool pool;
    private byte[] atHigh;
    private byte[] atLow;
    private PagedKvSequence memory;
    private KvBenchSupport.Block frame;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        pool = KvPool.allocate(256L << 20);
        KvMemoryConfig config = KvMemoryConfig.builder(96L << 20).policy(policy)
                .format(dev.sightline.kv.PageFormat.byName(format))
                .watermarkTokens(HIGH + FRAME_TOKENS, LOW).recentWindow(FRAME_TOKENS).build();
        frame = KvBenchSupport.Block.random(KvBenchSupport.SMOLVLM2_256M, FRAME_TOKENS, 1);
        try (PagedKvSequence seq = PagedKvSequence.open(pool, KvBenchSupport.SMOLVLM2_256M, config)) {
            int frames = 0;
            while (seq.stats().meanTokensPerHead() < LOW) {
                KvBenchSupport.Block.random(seq.geometry(), FRAME_TOKENS, frames)
                        .store(seq, KvBenchSupport.frame(seq.nextPosition(), frames, FRAME_TOKENS));
                frames++;
            }
            atLow = snapshot(seq);
            while (seq.stats().meanTokensPerHead() < HIGH) {
                KvBenchSupport.Block.random(seq.geometry(), FRAME_TOKENS, frames)
                        .store(seq, KvBenchSupport.frame(seq.nextPosition(), frames, FRAME_TOKENS));
                frames++;
            }
            atHigh = snapshot(seq);
        }
    }

    private static byte[] snapshot(PagedKvSequence seq) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        seq.writeSnapshot(out);
        return out.toByteArray();
    }

    @State(Scope.Thread)
    public static class AtHigh {
        PagedKvSequence memory;

        @Setup(Level.Invocation)
        public void restore(KvCompressionBenchmark b) throws IOException {
            memory = PagedKvSequence.restore(b.pool, new ByteArrayInputStream(b.atHigh));
        }

        @TearDown(Level.Invocation)
        public void close() {
            memory.close();
        }
    }

    @State(Scope.Thread)
    public static class AtLow {
        PagedKvSequence memory;

        @Setup(Level.Invocation)
        public void restore(KvCompressionBenchmark b) throws IOException {
            memory = PagedKvSequence.restore(b.pool, new ByteArrayInputStream(b.atLow));
        }

        @TearDown(Level.Invocation)
        public void close() {
            memory.close();
        }
    }

    @Benchmark
    public int compress(AtHigh state) {
        state.memory.compressTo(LOW);
        return state.memory.size();
    }

    /** Run with {@code -p policy=infinipot-v} only: a frame's prefill is the same under every policy. */
    @Benchmark
    public float prefillFrame(AtLow state) {
        PagedKvSequence seq = state.memory;
        frame.feed(seq, KvBenchSupport.frame(seq.nextPosition(), 9999, FRAME_TOKENS));
        return frame.out()[0];
    }

    @TearDown(Level.Trial)
    public void free() {
        pool.close();
    }
}
