package dev.sightline.bench.tokenizer;

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

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * JMH form of the tokenizer throughput benchmark ({@link TokenizerRig}: frames per second through the whole
 * topology per tower and stage set). On a shared, loaded box prefer {@link TokenizerBench}, which alternates the
 * configurations round by round so load drift hits them all alike.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class TokenizerThroughputBenchmark {

    @Param({"siglip-small", "projection"})
    public String tower;

    @Param({"none", "gate", "temporal", "spatial", "allocation", "all"})
    public String stages;

    private TokenizerRig rig;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        rig = new TokenizerRig(tower, stages);
    }

    @Benchmark
    public int frame() {
        return rig.frame();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        rig.close();
    }
}
