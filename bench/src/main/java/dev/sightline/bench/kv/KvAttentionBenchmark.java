package dev.sightline.bench.kv;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import java.util.List;
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
 * Attention throughput per page format over a SmolVLM2-256M-like memory of {@code tokens} tokens per head, through
 * an overlay so the memory stays as it is: one decode step (one query token through all 30 layers) and one frame's
 * block (64 query tokens through all 30 layers, each seeing the memory and the frame's tokens before it, as a
 * frame's prefill attends).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx3g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class KvAttentionBenchmark {

    @Param({"F16", "Q8", "KIVI4", "KIVI2"})
    public String format;

    @Param({"1024"})
    public int tokens;

    private KvPool pool;
    private PagedKvSequence memory;
    private KvBenchSupport.Block step;
    private KvBenchSupport.Block frame;

    @Setup(Level.Trial)
    public void fill() {
        pool = KvPool.allocate(256L << 20);
        memory = PagedKvSequence.open(pool, KvBenchSupport.SMOLVLM2_256M, KvMemoryConfig.builder(128L << 20)
                .format(PageFormat.byName(format)).policy("full").build());
        for (int f = 0; f * 64 < tokens; f++) {
            KvBenchSupport.Block.random(memory.geometry(), 64, f)
                    .store(memory, KvBenchSupport.frame(memory.nextPosition(), f, 64));
        }
        step = KvBenchSupport.Block.random(memory.geometry(), 1, 77);
        frame = KvBenchSupport.Block.random(memory.geometry(), 64, 78);
    }

    @Benchmark
    public float decodeStep() {
        try (KvSequence overlay = memory.overlay()) {
            step.feed(overlay, List.of(TokenInfo.text(overlay.nextPosition())));
        }
        return step.out()[0];
    }

    @Benchmark
    public float frameBlock() {
        try (KvSequence overlay = memory.overlay()) {
            frame.feed(overlay, KvBenchSupport.frame(overlay.nextPosition(), 9999, 64));
        }
        return frame.out()[0];
    }

    @TearDown(Level.Trial)
    public void free() {
        memory.close();
        pool.close();
    }
}
