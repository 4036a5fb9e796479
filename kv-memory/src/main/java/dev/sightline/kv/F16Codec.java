package dev.sightline.kv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** One token per group: headDim half floats of key, then headDim of value. */
final class F16Codec extends PageCodec {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private final short[] scratch;
    private short[] run = new short[0];

    F16Codec(int headDim) {
        super(headDim);
        this.scratch = new short[2 * headDim];
    }

    @Override
    PageFormat format() {
        return PageFormat.F16;
    }

    @Override
    int groupTokens() {
        return 1;
    }

    @Override
    int groupBytes() {
        return 4 * headDim;
    }

    @Override
    void encode(float[] k, float[] v, int tok, int n, MemorySegment seg, long off) {
        int base = tok * headDim;
        for (int d = 0; d < headDim; d++) {
            scratch[d] = Float.floatToFloat16(k[base + d]);
            scratch[headDim + d] = Float.floatToFloat16(v[base + d]);
        }
        MemorySegment.copy(scratch, 0, seg, SHORT, off, 2 * headDim);
    }

    @Override
    void decodeRun(MemorySegment seg, long off, int groups, float[] k, float[] v, int tok) {
        int len = groups * 2 * headDim;
        if (run.length < len) {
            run = new short[len];
        }
        MemorySegment.copy(seg, SHORT, off, run, 0, len);
        // either array may be null: a compression view decodes only the half its policy reads
        for (int t = 0; t < groups; t++) {
            if (k != null) {
                HalfFloats.toFloats(run, t * 2 * headDim, k, (tok + t) * headDim, headDim);
            }
            if (v != null) {
                HalfFloats.toFloats(run, t * 2 * headDim + headDim, v, (tok + t) * headDim, headDim);
            }
        }
    }

    /**
     * Decodes {@code groups} tokens at {@code off} (within one page) into rows of {@code rows} from token {@code tok},
     * each row as the page holds it: the key's {@code headDim} floats, then the value's. One plain loop over the whole
     * run, which the JIT compiles to the CPU's half-to-float instruction: several times faster than converting one
     * key or value at a time.
     */
    void decodeRows(MemorySegment seg, long off, int groups, float[] rows, int tok) {
        int len = groups * 2 * headDim;
        if (run.length < len) {
            run = new short[len];
        }
        MemorySegment.copy(seg, SHORT, off, run, 0, len);
        int base = tok * 2 * headDim;
        for (int i = 0; i < len; i++) {
            rows[base + i] = Float.float16ToFloat(run[i]);
        }
    }

    @Override
    void decode(MemorySegment seg, long off, int n, float[] k, float[] v, int tok) {
        MemorySegment.copy(seg, SHORT, off, scratch, 0, 2 * headDim);
        int base = tok * headDim;
        for (int d = 0; d < headDim; d++) {
            k[base + d] = Float.float16ToFloat(scratch[d]);
            v[base + d] = Float.float16ToFloat(scratch[headDim + d]);
        }
    }
}
