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
    long weightBytes() {
        return (long) rows * cols * 4;
    }

    @Override
    void multiplyRows(int r0, int r1, float[] x, int n, float[] out) {
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                tile4x4(r, t, x, out);
            }
            for (; t < n; t++) {
                tile4x1(r, t, x, out);
            }
        }
        for (; r < r1; r++) {
            for (int t = 0; t < n; t++) {
                out[t * rows + r] = dot(r, x, t * cols);
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

    private void tile4x1(int r, int t, float[] x, float[] out) {
        long b0 = (long) r * cols * 4;
        long b1 = b0 + cols * 4L;
        long b2 = b1 + cols * 4L;
        long b3 = b2 + cols * 4L;
        int xo = t * cols;
        int bound = FS.loopBound(cols);
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c < bound; c += FS.length()) {
            FloatVector xv = FloatVector.fromArray(FS, x, xo + c);
            long o = c * 4L;
            a0 = FloatVector.fromMemorySegment(FS, w, b0 + o, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(FS, w, b1 + o, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(FS, w, b2 + o, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(FS, w, b3 + o, LE).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            float xc = x[xo + c];
            s0 += w.get(Tensor.F32, b0 + c * 4L) * xc;
            s1 += w.get(Tensor.F32, b1 + c * 4L) * xc;
            s2 += w.get(Tensor.F32, b2 + c * 4L) * xc;
            s3 += w.get(Tensor.F32, b3 + c * 4L) * xc;
        }
        int o = t * rows + r;
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
    }

    private void tile4x4(int r, int t, float[] x, float[] out) {
        for (int i = 0; i < 4; i++) {
            tile4x1(r, t + i, x, out);
        }
    }
}
