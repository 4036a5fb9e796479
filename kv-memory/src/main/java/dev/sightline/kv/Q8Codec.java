package dev.sightline.kv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * One token per group, symmetric 8-bit: a float scale for the key and one for the value (max |x| / 127), then
 * headDim signed bytes of key and headDim of value.
 */
final class Q8Codec extends PageCodec {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));
    private final byte[] scratch;

    Q8Codec(int headDim) {
        super(headDim);
        this.scratch = new byte[2 * headDim];
    }

    @Override
    PageFormat format() {
        return PageFormat.Q8;
    }

    @Override
    int groupTokens() {
        return 1;
    }

    @Override
    int groupBytes() {
        return 8 + 2 * headDim;
    }

    @Override
    void encode(float[] k, float[] v, int tok, int n, MemorySegment seg, long off) {
        int base = tok * headDim;
        seg.set(FLOAT, off, quantize(k, base, 0));
        seg.set(FLOAT, off + 4, quantize(v, base, headDim));
        MemorySegment.copy(scratch, 0, seg, ValueLayout.JAVA_BYTE, off + 8, 2 * headDim);
    }

    private float quantize(float[] x, int base, int at) {
        float max = 0;
        for (int d = 0; d < headDim; d++) {
            max = Math.max(max, Math.abs(x[base + d]));
        }
        float scale = max / 127f;
        float inv = scale == 0 ? 0 : 1f / scale;
        for (int d = 0; d < headDim; d++) {
            scratch[at + d] = (byte) Math.max(-127, Math.min(127, Math.round(x[base + d] * inv)));
        }
        return scale;
    }

    @Override
    void decode(MemorySegment seg, long off, int n, float[] k, float[] v, int tok) {
        float ks = seg.get(FLOAT, off);
        float vs = seg.get(FLOAT, off + 4);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off + 8, scratch, 0, 2 * headDim);
        int base = tok * headDim;
        dequantize(0, ks, k, base);
        dequantize(headDim, vs, v, base);
    }

    private void dequantize(int from, float scale, float[] dst, int base) {
        int d = 0;
        int bound = B.loopBound(headDim);
        for (; d < bound; d += B.length()) {
            ((FloatVector) ByteVector.fromArray(B, scratch, from + d).convertShape(VectorOperators.B2F, F, 0))
                    .mul(scale).intoArray(dst, base + d);
        }
        for (; d < headDim; d++) {
            dst[base + d] = scratch[from + d] * scale;
        }
    }
}
