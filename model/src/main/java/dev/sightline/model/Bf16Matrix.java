package dev.sightline.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * BF16 weights read in place from the mapped file and widened in registers: a bfloat16 is the top half of a float32,
 * so widening is a 16-bit left shift. Half the bytes of F32 to stream, which is what decode speed depends on.
 *
 * <p>Prefill uses 4x4 tiles: four weight rows are widened once per column step and multiplied with four tokens, so
 * each loaded weight serves four tokens from registers.
 */
final class Bf16Matrix extends Matrix {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int L = FS.length();

    private final MemorySegment w;

    Bf16Matrix(int rows, int cols, MemorySegment w) {
        super(rows, cols);
        this.w = w;
    }

    @Override
    public long weightBytes() {
        return (long) rows * cols * 2;
    }

    @Override
    MemorySegment[] weightSegments() {
        return new MemorySegment[]{w};
    }

    private FloatVector load(long byteOffset) {
        return ((IntVector) ShortVector.fromMemorySegment(SS, w, byteOffset, LE).convertShape(VectorOperators.S2I, IS, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private float scalar(long byteOffset) {
        return Float.intBitsToFloat((w.get(Tensor.I16, byteOffset) & 0xFFFF) << 16);
    }

    @Override
    void multiplyRows(int r0, int r1, float[] x, int n, float[] out) {
        // Whole groups of four tokens take 4x4 tiles; the rest (all of decode) reads one row at a time, start to
        // end: a single sequential stream per thread reads memory faster than four interleaved rows (measured).
        int tiled = n / 4 * 4;
        int r = r0;
        if (tiled > 0) {
            for (; r + 4 <= r1; r += 4) {
                for (int t = 0; t < tiled; t += 4) {
                    tile4x4(r, t, x, out);
                }
            }
            for (int rr = r; rr < r1; rr++) {
                for (int t = 0; t < tiled; t++) {
                    out[t * rows + rr] = dot(rr, x, t * cols);
                }
            }
        }
        for (int rr = r0; rr < r1; rr++) {
            for (int t = tiled; t < n; t++) {
                out[t * rows + rr] = dot(rr, x, t * cols);
            }
        }
    }

    /**
     * Decode's input with each run of 32 values split into its 16 even-indexed then its 16 odd-indexed values, to
     * match {@link #matvecRows}, which reads 32 BF16 weights as 16 ints. Only for widths that are whole runs of 32
     * on a 512-bit machine.
     */
    @Override
    float[] prepareVector(float[] x) {
        if (!pairedLayout()) {
            return x;
        }
        float[] p = new float[cols];
        for (int c = 0; c < cols; c += 2 * L) {
            for (int i = 0; i < L; i++) {
                p[c + i] = x[c + 2 * i];
                p[c + L + i] = x[c + 2 * i + 1];
            }
        }
        return p;
    }

    private boolean pairedLayout() {
        return L == 16 && cols % (2 * L) == 0;
    }

    /**
     * Decode rows: each 64-byte load holds 32 BF16 weights as 16 little-endian ints, the even-indexed weight in the
     * low half and the odd one in the high half; a shift and a mask turn them into two float vectors, against the
     * even and odd halves of the prepared input. Two vector instructions per 32 weights instead of a widening
     * conversion and a shift per 16: decode is then limited by memory, not by the widening.
     */
    @Override
    void matvecRows(int r0, int r1, float[] xp, float[] out) {
        if (!pairedLayout()) {
            multiplyRows(r0, r1, xp, 1, out);
            return;
        }
        // One row after the other, whatever the width: rows are contiguous, so each thread reads its part as one
        // sequential stream. Two rows per pass (sharing the input loads) read two interleaved streams, and on the
        // benchmark VM one thread reads two interleaved streams at about half the rate of one (docs/benchmarks.md,
        // ## model, fifth session): the MLP's down projection (1536 columns) ran 1.5-1.7x faster per row this way.
        for (int r = r0; r < r1; r++) {
            out[r] = pairedDot(r, xp);
        }
    }

    private float pairedDot(int r, float[] xp) {
        // A plain loop with two accumulators (even and odd halves): measured faster than unrolling further, which
        // on this machine's short rows (576 and 1536 weights) cost more in loop set-up than it saved.
        MemorySegment seg = w;
        long base = (long) r * cols * 2;
        FloatVector even = FloatVector.zero(FS), odd = even;
        for (int c = 0; c < cols; c += 2 * L) {
            IntVector pair = IntVector.fromMemorySegment(IS, seg, base + c * 2L, LE);
            even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FS, xp, c), even);
            odd = pair.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(FS, xp, c + L), odd);
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD);
    }

    private float dot(int r, float[] x, int xo) {
        // Four independent accumulators: with one, every FMA waits for the previous one (4 cycles each), which
        // caps a thread below the memory's read rate; four keep the FMA units busy while the row streams in.
        long base = (long) r * cols * 2;
        int bound4 = cols - cols % (4 * L);
        int bound = FS.loopBound(cols);
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c < bound4; c += 4 * L) {
            long o = base + c * 2L;
            a0 = load(o).fma(FloatVector.fromArray(FS, x, xo + c), a0);
            a1 = load(o + 2L * L).fma(FloatVector.fromArray(FS, x, xo + c + L), a1);
            a2 = load(o + 4L * L).fma(FloatVector.fromArray(FS, x, xo + c + 2 * L), a2);
            a3 = load(o + 6L * L).fma(FloatVector.fromArray(FS, x, xo + c + 3 * L), a3);
        }
        for (; c < bound; c += L) {
            a0 = load(base + c * 2L).fma(FloatVector.fromArray(FS, x, xo + c), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            s += scalar(base + c * 2L) * x[xo + c];
        }
        return s;
    }

    private void tile4x4(int r, int t, float[] x, float[] out) {
        long b0 = (long) r * cols * 2;
        long b1 = b0 + cols * 2L;
        long b2 = b1 + cols * 2L;
        long b3 = b2 + cols * 2L;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int bound = FS.loopBound(cols);
        FloatVector z = FloatVector.zero(FS);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int c = 0;
        for (; c < bound; c += L) {
            long o = c * 2L;
            FloatVector v0 = FloatVector.fromArray(FS, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(FS, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(FS, x, x2 + c);
            FloatVector v3 = FloatVector.fromArray(FS, x, x3 + c);
            FloatVector w0 = load(b0 + o);
            a00 = w0.fma(v0, a00); a01 = w0.fma(v1, a01); a02 = w0.fma(v2, a02); a03 = w0.fma(v3, a03);
            FloatVector w1 = load(b1 + o);
            a10 = w1.fma(v0, a10); a11 = w1.fma(v1, a11); a12 = w1.fma(v2, a12); a13 = w1.fma(v3, a13);
            FloatVector w2 = load(b2 + o);
            a20 = w2.fma(v0, a20); a21 = w2.fma(v1, a21); a22 = w2.fma(v2, a22); a23 = w2.fma(v3, a23);
            FloatVector w3 = load(b3 + o);
            a30 = w3.fma(v0, a30); a31 = w3.fma(v1, a31); a32 = w3.fma(v2, a32); a33 = w3.fma(v3, a33);
        }
        float[] s = {
                a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD),
                a20.reduceLanes(VectorOperators.ADD), a21.reduceLanes(VectorOperators.ADD),
                a22.reduceLanes(VectorOperators.ADD), a23.reduceLanes(VectorOperators.ADD),
                a30.reduceLanes(VectorOperators.ADD), a31.reduceLanes(VectorOperators.ADD),
                a32.reduceLanes(VectorOperators.ADD), a33.reduceLanes(VectorOperators.ADD)};
        long[] base = {b0, b1, b2, b3};
        int[] xs = {x0, x1, x2, x3};
        for (; c < cols; c++) {
            for (int i = 0; i < 4; i++) {
                float wv = scalar(base[i] + c * 2L);
                for (int j = 0; j < 4; j++) {
                    s[i * 4 + j] += wv * x[xs[j] + c];
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                out[(t + j) * rows + r + i] = s[i * 4 + j];
            }
        }
    }
}
