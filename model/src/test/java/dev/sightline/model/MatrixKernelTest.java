package dev.sightline.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The Vector API products against a plain double-precision loop, on sizes that exercise every tail path. */
class MatrixKernelTest {

    @ParameterizedTest
    @CsvSource({"13,70,1", "13,70,5", "16,64,4", "9,33,9", "64,256,7", "3,5,2", "7,96,1", "70,128,1", "5,1024,1"})
    void allWeightTypesMatchAPlainProduct(int rows, int cols, int n, @org.junit.jupiter.api.io.TempDir Path tmp) {
        Random rnd = new Random(rows * 1000L + cols * 10L + n);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            // BF16-exact values, so F32 and BF16 storage hold the same numbers
            w[i] = Float.intBitsToFloat(SafetensorsWriter.toBf16((float) rnd.nextGaussian()) << 16);
        }
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        double[] expected = new double[n * rows];
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += (double) w[r * cols + c] * x[t * cols + c];
                }
                expected[t * rows + r] = s;
            }
        }
        Path file = tmp.resolve("w.safetensors");
        new SafetensorsWriter().add("f32", DType.F32, new long[]{rows, cols}, w)
                .add("bf16", DType.BF16, new long[]{rows, cols}, w)
                .add("f16", DType.F16, new long[]{rows, cols}, w).write(file);
        try (Arena arena = Arena.ofShared()) {
            var f = SafetensorsFile.open(file, arena);
            for (String name : new String[]{"f32", "bf16", "f16"}) {
                Matrix m = Matrix.of(f.tensors.get(name), arena);
                float tol = name.equals("f16") ? 0.05f * (float) Math.sqrt(cols) : 1e-4f * cols;
                check(m, x, n, expected, tol, name);
            }
            if (Q8Matrix.fits(cols)) {
                Tensor t = f.tensors.get("bf16");
                Matrix q = Q8Matrix.quantize(Matrix.of(t, arena), t, arena);
                check(q, x, n, expected, 0.05f * (float) Math.sqrt(cols), "q8");
                assertThat(q.weightBytes()).isLessThan((long) rows * cols * 2);
            }
        }
    }

    private static void check(Matrix m, float[] x, int n, double[] expected, float tol, String what) {
        float[] out = new float[n * m.rows];
        m.matmul(x, n, out);
        for (int i = 0; i < out.length; i++) {
            assertThat((double) out[i]).as(what + " element " + i).isCloseTo(expected[i],
                    org.assertj.core.api.Assertions.within((double) tol));
        }
        if (n == 1) {
            float[] mv = new float[m.rows];
            m.matvec(x, mv);
            // same result up to summation order (reduceLanes order may differ between JIT tiers)
            assertThat(mv).containsExactly(out, org.assertj.core.api.Assertions.within(1e-4f * m.cols));
        }
    }
}
