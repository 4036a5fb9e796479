package dev.sightline.kv;

/**
 * How keys and values are encoded in a page. Every format is composable with every compression policy: policies see
 * keys and values as floats (dequantized) and the store re-encodes what it keeps.
 *
 * <ul>
 *   <li>{@link #F16}: half-precision floats, 4 bytes per channel pair (key + value). The default; exact for the f16
 *       grid.</li>
 *   <li>{@link #Q8}: 8-bit symmetric integers per token (one float scale per token for keys and one for values).</li>
 *   <li>{@link #KIVI4} and {@link #KIVI2}: KIVI-style asymmetric 4- and 2-bit quantization in groups of 32 tokens;
 *       keys per channel (a min and scale per channel per group), values per token (a min and scale per 32
 *       channels). The most recent {@value #KIVI_RESIDUAL_TOKENS} tokens of each head stay in F16 and are quantized
 *       when they fall out of that window. Needs a head dimension that is a multiple of 32.</li>
 * </ul>
 *
 * <p>Compaction after eviction moves F16 and Q8 tokens as raw bytes (lossless). KIVI key groups span 32 tokens, so
 * when eviction removes tokens from a group the kept keys are decoded and re-quantized in new groups: each compression
 * can add up to one more quantization step of error to an old KIVI key (values are per token and re-encode to the
 * same codes up to half-float rounding of their range).
 */
public enum PageFormat {
    F16, Q8, KIVI4, KIVI2;

    /** Tokens per head kept in F16 by the KIVI formats before they are quantized. */
    public static final int KIVI_RESIDUAL_TOKENS = 128;

    /** Tokens quantized together by the KIVI formats (the key groups run along the token axis). */
    public static final int KIVI_GROUP = 32;

    /** Looks a format up by name, case-insensitively ({@code f16}, {@code q8}, {@code kivi4}, {@code kivi2}). */
    public static PageFormat byName(String name) {
        for (PageFormat f : values()) {
            if (f.name().equalsIgnoreCase(name.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown KV page format '" + name + "'; known: f16, q8, kivi4, kivi2");
    }

    /**
     * Bytes that one token of one KV head takes in this format's pages (keys, values and quantization scales,
     * amortized over a full group), not counting page slack or per-token metadata.
     */
    public double bytesPerTokenPerHead(int headDim) {
        PageCodec codec = PageCodec.of(this, headDim);
        return (double) codec.groupBytes() / codec.groupTokens();
    }

    /** How many tokens each head keeps in F16 before quantizing (0 for formats with no residual window). */
    int residualTokens() {
        return this == KIVI4 || this == KIVI2 ? KIVI_RESIDUAL_TOKENS : 0;
    }
}
