package dev.sightline.model;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0 weights made at load time: each run of 32 values in a row becomes 32 signed bytes and one float scale
 * ({@code max|w| / 127}). About 1.1 bytes per weight instead of 2, for faster decode at a small accuracy cost.
 * Quantized data lives in native memory, not on the heap.
 */
final class Q8Matrix extends Matrix {

    static final int BLOCK = 32;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private final MemorySegment quants; // [rows][cols] bytes
    private final MemorySegment scales; // [rows][cols/32] floats
    private final int blocks;

    private Q8Matrix(int rows, int cols, MemorySegment quants, MemorySegment scales) {
        super(rows, cols);
        this.quants = quants;
        this.scales = scales;
        this.blocks = cols / BLOCK;
    }

    /** Whether a matrix of this width can be quantized (whole blocks, and blocks a multiple of the vector width). */
    static boolean fits(int cols) {
        return cols % BLOCK == 0 && BLOCK % L == 0;
    }

    static Q8Matrix quantize(Matrix source, Tensor t, Arena arena) {
        int rows = source.rows;
        int cols = source.cols;
        int blocks = cols / BLOCK;
        MemorySegment q = arena.allocate((long) rows * cols, 64);
        MemorySegment s = arena.allocate((long) rows * blocks * 4, 64);
        Parallel.range(rows, 16, (a, b) -> {
            for (int r = a; r < b; r++) {
                for (int k = 0; k < blocks; k++) {
                    long base = (long) r * cols + (long) k * BLOCK;
                    float max = 0;
                    for (int i = 0; i < BLOCK; i++) {
                        max = Math.max(max, Math.abs(t.get(base + i)));
                    }
                    float scale = max / 127f;
                    float inv = scale == 0 ? 0 : 1f / scale;
                    for (int i = 0; i < BLOCK; i++) {
                        q.set(ValueLayout.JAVA_BYTE, base + i, (byte) Math.round(t.get(base + i) * inv));
                    }
                    s.setAtIndex(Tensor.F32, (long) r * blocks + k, scale);
                }
            }
        });
        return new Q8Matrix(rows, cols, q, s);
    }

    @Override
    MemorySegment[] weightSegments() {
        return new MemorySegment[]{quants, scales};
    }

    @Override
    public long weightBytes() {
        return (long) rows * cols + (long) rows * blocks * 4;
    }

    @Override
    void multiplyRows(int r0, int r1, float[] x, int n, float[] out) {
        for (int r = r0; r < r1; r++) {
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                row4(r, t, x, out);
            }
            for (; t < n; t++) {
                out[t * rows + r] = row1(r, t * cols, x);
            }
        }
    }

    private float row1(int r, int xo, float[] x) {
        // Two blocks per step into two accumulators, so consecutive blocks' scale FMAs do not wait on each other.
        long qBase = (long) r * cols;
        long sBase = (long) r * blocks;
        FloatVector acc0 = FloatVector.zero(FS), acc1 = acc0;
        int k = 0;
        for (; k + 2 <= blocks; k += 2) {
            acc0 = blockSum(qBase, k, xo, x).fma(FloatVector.broadcast(FS, scales.getAtIndex(Tensor.F32, sBase + k)),
                    acc0);
            acc1 = blockSum(qBase, k + 1, xo, x).fma(
                    FloatVector.broadcast(FS, scales.getAtIndex(Tensor.F32, sBase + k + 1)), acc1);
        }
        if (k < blocks) {
            acc0 = blockSum(qBase, k, xo, x).fma(FloatVector.broadcast(FS, scales.getAtIndex(Tensor.F32, sBase + k)),
                    acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** The unscaled dot product of block {@code k} of a row with the input. */
    private FloatVector blockSum(long qBase, int k, int xo, float[] x) {
        int c = k * BLOCK;
        FloatVector s = widen(qBase + c).mul(FloatVector.fromArray(FS, x, xo + c));
        for (int p = L; p < BLOCK; p += L) {
            s = widen(qBase + c + p).fma(FloatVector.fromArray(FS, x, xo + c + p), s);
        }
        return s;
    }

    /** One weight row against four tokens: each block is widened once and used four times. */
    private void row4(int r, int t, float[] x, float[] out) {
        long qBase = (long) r * cols;
        long sBase = (long) r * blocks;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector z = FloatVector.zero(FS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        for (int k = 0; k < blocks; k++) {
            FloatVector s0 = z, s1 = z, s2 = z, s3 = z;
            for (int p = 0; p < BLOCK; p += L) {
                int c = k * BLOCK + p;
                FloatVector w = widen(qBase + c);
                s0 = w.fma(FloatVector.fromArray(FS, x, x0 + c), s0);
                s1 = w.fma(FloatVector.fromArray(FS, x, x1 + c), s1);
                s2 = w.fma(FloatVector.fromArray(FS, x, x2 + c), s2);
                s3 = w.fma(FloatVector.fromArray(FS, x, x3 + c), s3);
            }
            FloatVector scale = FloatVector.broadcast(FS, scales.getAtIndex(Tensor.F32, sBase + k));
            a0 = s0.fma(scale, a0);
            a1 = s1.fma(scale, a1);
            a2 = s2.fma(scale, a2);
            a3 = s3.fma(scale, a3);
        }
        out[t * rows + r] = a0.reduceLanes(VectorOperators.ADD);
        out[(t + 1) * rows + r] = a1.reduceLanes(VectorOperators.ADD);
        out[(t + 2) * rows + r] = a2.reduceLanes(VectorOperators.ADD);
        out[(t + 3) * rows + r] = a3.reduceLanes(VectorOperators.ADD);
    }

    private FloatVector widen(long byteOffset) {
        return (FloatVector) ByteVector.fromMemorySegment(BS, quants, byteOffset, java.nio.ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, FS, 0);
    }
}
