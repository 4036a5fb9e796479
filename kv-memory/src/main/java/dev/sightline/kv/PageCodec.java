package dev.sightline.kv;

import java.lang.foreign.MemorySegment;

/**
 * Encodes and decodes groups of tokens of one KV head (keys and values together) to and from page memory. A group is
 * the unit a format quantizes together: one token for F16 and Q8, {@link PageFormat#KIVI_GROUP} tokens for KIVI.
 * A group may be partly filled (the newest group of a head); its unused token slots are ignored.
 *
 * <p>Float arrays are {@code [token][headDim]}, starting at token {@code tok}.
 */
abstract class PageCodec {

    final int headDim;

    PageCodec(int headDim) {
        this.headDim = headDim;
    }

    static PageCodec of(PageFormat format, int headDim) {
        return switch (format) {
            case F16 -> new F16Codec(headDim);
            case Q8 -> new Q8Codec(headDim);
            case KIVI4 -> new KiviCodec(headDim, 4);
            case KIVI2 -> new KiviCodec(headDim, 2);
        };
    }

    abstract PageFormat format();

    /** Tokens per group. */
    abstract int groupTokens();

    /** Bytes of one full group in a page. */
    abstract int groupBytes();

    /** Writes {@code n} tokens (1..groupTokens) as one group at {@code off}. */
    abstract void encode(float[] k, float[] v, int tok, int n, MemorySegment seg, long off);

    /** Reads {@code n} tokens of the group at {@code off} into the arrays at token {@code tok}. */
    abstract void decode(MemorySegment seg, long off, int n, float[] k, float[] v, int tok);

    /**
     * Reads {@code groups} full consecutive groups starting at {@code off} (within one page) into the arrays at token
     * {@code tok}. Formats override it to convert whole runs at once.
     */
    void decodeRun(MemorySegment seg, long off, int groups, float[] k, float[] v, int tok) {
        for (int g = 0; g < groups; g++) {
            decode(seg, off + (long) g * groupBytes(), groupTokens(), k, v, tok + g * groupTokens());
        }
    }
}
