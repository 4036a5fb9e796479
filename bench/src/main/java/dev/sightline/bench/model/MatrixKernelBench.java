package dev.sightline.bench.model;

import dev.sightline.model.Checkpoint;
import dev.sightline.model.DType;
import dev.sightline.model.Matrix;
import dev.sightline.model.SafetensorsWriter;
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

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The engine's matrix kernels on SmolLM2-135M's MLP shape (1536 x 576, cache-resident) and a 64 MB BF16 matrix that
 * must stream from memory: matrix-vector (decode) and 16-token matrix-matrix (prefill), for F32, BF16 and Q8_0.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatrixKernelBench {

    @Param({"1536x576", "8192x4096"})
    public String shape;

    @Param({"BF16", "F32", "Q8_0"})
    public String weights;

    private Path dir;
    private Checkpoint cp;
    private Arena arena;
    private Matrix matrix;
    private float[] x1;
    private float[] x16;
    private float[] out1;
    private float[] out16;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        int rows = Integer.parseInt(shape.split("x")[0]);
        int cols = Integer.parseInt(shape.split("x")[1]);
        dir = Files.createTempDirectory("matrix-bench");
        Files.writeString(dir.resolve("config.json"), "{}");
        SplittableRandom r = new SplittableRandom(1);
        DType dtype = weights.equals("F32") ? DType.F32 : DType.BF16;
        new SafetensorsWriter().add("w", dtype, new long[]{rows, cols}, i -> (float) r.nextGaussian())
                .write(dir.resolve("model.safetensors"));
        cp = Checkpoint.open(dir);
        arena = Arena.ofShared();
        matrix = weights.equals("Q8_0") ? Matrix.quantizedQ8(cp.tensor("w"), arena) : Matrix.of(cp.tensor("w"), arena);
        x1 = new float[cols];
        x16 = new float[16 * cols];
        for (int i = 0; i < x16.length; i++) {
            x16[i] = (float) r.nextGaussian();
        }
        System.arraycopy(x16, 0, x1, 0, cols);
        out1 = new float[rows];
        out16 = new float[16 * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        arena.close();
        cp.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public float[] matvec() {
        matrix.matvec(x1, out1);
        return out1;
    }

    @Benchmark
    public float[] matmul16() {
        matrix.matmul(x16, 16, out16);
        return out16;
    }
}
