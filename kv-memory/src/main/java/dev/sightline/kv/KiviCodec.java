package dev.sightline.kv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * KIVI-style asymmetric quantization of a group of {@link PageFormat#KIVI_GROUP} tokens at 4 or 2 bits.
 *
 * <p>Keys are quantized per channel (outlier channels in keys are consistent across tokens, so a per-channel range
 * fits them), values per token in runs of 32 channels. Ranges are stored as half floats (min, scale), and codes are
 * computed against the rounded range so decoding is exactly what encoding assumed.
 *
 * <p>Layout: key min[headDim], key scale[headDim] (f16), then per token: key codes (headDim*bits/8 bytes), value
 * codes, value min and scale per 32-channel run (f16).
 */
final class KiviCodec extends PageCodec {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int CHANNEL_RUN = 32;

    private final int bits;
    private final int levels;
    private final int codeBytes;      // per token, keys or values
    private final int runs;           // 32-channel runs per token
    private final int tokenBytes;     // codes for key + value + value ranges
    private final int headerBytes;    // per-channel key ranges
    private final float[] kMin;
    private final float[] kScale;
    private final byte[] codes;
    private final float[] unpacked;   // one token's codes as floats
    private final float[] lut;        // byte value -> its codes, perByte floats each

    private static final jdk.incubator.vector.VectorSpecies<Float> F =
            jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;

    KiviCodec(int headDim, int bits) {
        super(headDim);
        if (headDim % CHANNEL_RUN != 0) {
            throw new IllegalArgumentException("KIVI formats need a head dimension that is a multiple of "
                    + CHANNEL_RUN + ", got " + headDim);
        }
        this.bits = bits;
        this.levels = (1 << bits) - 1;
        this.codeBytes = headDim * bits / 8;
        this.runs = headDim / CHANNEL_RUN;
        this.tokenBytes = 2 * codeBytes + 4 * runs;
        this.headerBytes = 4 * headDim;
        this.kMin = new float[headDim];
        this.kScale = new float[headDim];
        this.codes = new byte[codeBytes];
        this.unpacked = new float[headDim];
        int perByte = 8 / bits;
        this.lut = new float[256 * perByte];
        for (int b = 0; b < 256; b++) {
            for (int j = 0; j < perByte; j++) {
                lut[b * perByte + j] = (b >>> (j * bits)) & levels;
            }
        }
    }

    @Override
    PageFormat format() {
        return bits == 4 ? PageFormat.KIVI4 : PageFormat.KIVI2;
    }

    @Override
    int groupTokens() {
        return PageFormat.KIVI_GROUP;
    }

    @Override
    int groupBytes() {
        return headerBytes + PageFormat.KIVI_GROUP * tokenBytes;
    }

    @Override
    void encode(float[] k, float[] v, int tok, int n, MemorySegment seg, long off) {
        // keys: one range per channel over the group's tokens
        for (int d = 0; d < headDim; d++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < n; t++) {
                float x = k[(tok + t) * headDim + d];
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            short loH = Float.floatToFloat16(lo);
            short scH = Float.floatToFloat16((hi - lo) / levels);
            seg.set(SHORT, off + 2L * d, loH);
            seg.set(SHORT, off + 2L * (headDim + d), scH);
            kMin[d] = Float.float16ToFloat(loH);
            kScale[d] = Float.float16ToFloat(scH);
        }
        for (int t = 0; t < n; t++) {
            long at = off + headerBytes + (long) t * tokenBytes;
            int row = (tok + t) * headDim;
            // key codes against the per-channel ranges
            java.util.Arrays.fill(codes, (byte) 0);
            for (int d = 0; d < headDim; d++) {
                pack(d, code(k[row + d], kMin[d], kScale[d]));
            }
            MemorySegment.copy(codes, 0, seg, ValueLayout.JAVA_BYTE, at, codeBytes);
            // value codes against per-token ranges of 32 channels
            java.util.Arrays.fill(codes, (byte) 0);
            long ranges = at + 2L * codeBytes;
            for (int r = 0; r < runs; r++) {
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (int d = r * CHANNEL_RUN; d < (r + 1) * CHANNEL_RUN; d++) {
                    lo = Math.min(lo, v[row + d]);
                    hi = Math.max(hi, v[row + d]);
                }
                short loH = Float.floatToFloat16(lo);
                short scH = Float.floatToFloat16((hi - lo) / levels);
                seg.set(SHORT, ranges + 4L * r, loH);
                seg.set(SHORT, ranges + 4L * r + 2, scH);
                float min = Float.float16ToFloat(loH);
                float scale = Float.float16ToFloat(scH);
                for (int d = r * CHANNEL_RUN; d < (r + 1) * CHANNEL_RUN; d++) {
                    pack(d, code(v[row + d], min, scale));
                }
            }
            MemorySegment.copy(codes, 0, seg, ValueLayout.JAVA_BYTE, at + codeBytes, codeBytes);
        }
    }

    private int code(float x, float min, float scale) {
        if (scale == 0 || !Float.isFinite(scale)) {
            return 0;
        }
        return Math.max(0, Math.min(levels, Math.round((x - min) / scale)));
    }

    private void pack(int d, int q) {
        int perByte = 8 / bits;
        codes[d / perByte] |= (byte) (q << ((d % perByte) * bits));
    }

    @Override
    void decode(MemorySegment seg, long off, int n, float[] k, float[] v, int tok) {
        for (int d = 0; d < headDim; d++) {
            kMin[d] = Float.float16ToFloat(seg.get(SHORT, off + 2L * d));
            kScale[d] = Float.float16ToFloat(seg.get(SHORT, off + 2L * (headDim + d)));
        }
        for (int t = 0; t < n; t++) {
            long at = off + headerBytes + (long) t * tokenBytes;
            int row = (tok + t) * headDim;
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, at, codes, 0, codeBytes);
            unpackCodes();
            for (int d = 0; d < headDim; d += F.length()) {   // headDim is a multiple of 32
                jdk.incubator.vector.FloatVector.fromArray(F, unpacked, d)
                        .fma(jdk.incubator.vector.FloatVector.fromArray(F, kScale, d),
                                jdk.incubator.vector.FloatVector.fromArray(F, kMin, d))
                        .intoArray(k, row + d);
            }
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, at + codeBytes, codes, 0, codeBytes);
            unpackCodes();
            long ranges = at + 2L * codeBytes;
            for (int r = 0; r < runs; r++) {
                var min = jdk.incubator.vector.FloatVector.broadcast(F,
                        Float.float16ToFloat(seg.get(SHORT, ranges + 4L * r)));
                var scale = jdk.incubator.vector.FloatVector.broadcast(F,
                        Float.float16ToFloat(seg.get(SHORT, ranges + 4L * r + 2)));
                for (int d = r * CHANNEL_RUN; d < (r + 1) * CHANNEL_RUN; d += F.length()) {
                    jdk.incubator.vector.FloatVector.fromArray(F, unpacked, d).fma(scale, min).intoArray(v, row + d);
                }
            }
        }
    }

    /** Spreads {@code codes} into {@code unpacked}, one float per channel, through the byte lookup table. */
    private void unpackCodes() {
        int perByte = 8 / bits;
        for (int b = 0; b < codeBytes; b++) {
            int from = (codes[b] & 0xFF) * perByte;
            for (int j = 0; j < perByte; j++) {
                unpacked[b * perByte + j] = lut[from + j];
            }
        }
    }
}
