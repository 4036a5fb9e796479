package dev.sightline.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Float32 weights read in place from a (mapped or heap) segment. */
final class F32Matrix extends Matrix {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private final MemorySegment w;

    F32Matrix(int rows, int cols, MemorySegment w) {
        super(rows, cols);
        this.w = w;
    }

    @Override
    MemorySegment[] weightSegments() {
        return new MemorySegment[]{w};
    }

    @Override
    public long weightBytes() {
        return (long) rows * cols * 4;
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

    private float dot(int r, float[] x, int xOff) {
        long base = (long) r * cols * 4;
        int bound = FS.loopBound(cols);
        FloatVector acc = FloatVector.zero(FS);
        int c = 0;
        for (; c < bound; c += FS.length()) {
            FloatVector wv = FloatVector.fromMemorySegment(FS, w, base + c * 4L, LE);
            acc = wv.fma(FloatVector.fromArray(FS, x, xOff + c), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            s += w.getAtIndex(Tensor.F32, (long) r * cols + c) * x[xOff + c];
        }
        return s;
    }

    private void tile4x4(int r, int t, float[] x, float[] out) {
        long b0 = (long) r * cols * 4;
        long b1 = b0 + cols * 4L;
        long b2 = b1 + cols * 4L;
        long b3 = b2 + cols * 4L;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int bound = FS.loopBound(cols);
        FloatVector z = FloatVector.zero(FS);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int c = 0;
        for (; c < bound; c += FS.length()) {
            long o = c * 4L;
            FloatVector v0 = FloatVector.fromArray(FS, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(FS, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(FS, x, x2 + c);
            FloatVector v3 = FloatVector.fromArray(FS, x, x3 + c);
            FloatVector w0 = FloatVector.fromMemorySegment(FS, w, b0 + o, LE);
            a00 = w0.fma(v0, a00); a01 = w0.fma(v1, a01); a02 = w0.fma(v2, a02); a03 = w0.fma(v3, a03);
            FloatVector w1 = FloatVector.fromMemorySegment(FS, w, b1 + o, LE);
            a10 = w1.fma(v0, a10); a11 = w1.fma(v1, a11); a12 = w1.fma(v2, a12); a13 = w1.fma(v3, a13);
            FloatVector w2 = FloatVector.fromMemorySegment(FS, w, b2 + o, LE);
            a20 = w2.fma(v0, a20); a21 = w2.fma(v1, a21); a22 = w2.fma(v2, a22); a23 = w2.fma(v3, a23);
            FloatVector w3 = FloatVector.fromMemorySegment(FS, w, b3 + o, LE);
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
                float wv = w.get(Tensor.F32, base[i] + c * 4L);
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
