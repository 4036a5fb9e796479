package dev.sightline.model;

/**
 * Rotary position embedding as transformers applies it (the "rotate half" layout: dimension i pairs with
 * i + d/2), with the frequency rules of each RoPE type. YaRN's attention factor scales cos and sin, so it scales
 * both queries and keys.
 *
 * <p>Dynamic NTK depends on the sequence length: like transformers, the frequencies for a block are those for
 * {@code max(position)+1} when that exceeds the trained length, so a block's keys are rotated as transformers
 * rotates them when it reaches the same length.
 */
final class RotaryEmbedding {

    private final RopeConfig rope;
    private final int rotaryDim;
    private final int maxPositions;
    private final float[] baseInvFreq;
    private final float attentionScaling;

    RotaryEmbedding(RopeConfig rope, int headDim, int maxPositions) {
        this.rope = rope;
        this.rotaryDim = (int) (headDim * rope.partialRotaryFactor());
        this.maxPositions = maxPositions;
        if (rotaryDim % 2 != 0 || rotaryDim <= 0 || rotaryDim > headDim) {
            throw new ModelFormatException("rotary dimension " + rotaryDim + " is not valid for head_dim " + headDim);
        }
        float scaling = 1f;
        float[] inv = plain(rope.theta());
        switch (rope.type()) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = (float) (inv[i] / rope.factor());
                }
            }
            case "yarn" -> scaling = yarn(inv);
            case "llama3" -> llama3(inv);
            default -> { }
        }
        this.baseInvFreq = inv;
        this.attentionScaling = scaling;
    }

    int rotaryDim() {
        return rotaryDim;
    }

    float attentionScaling() {
        return attentionScaling;
    }

    private float[] plain(double base) {
        float[] inv = new float[rotaryDim / 2];
        for (int i = 0; i < inv.length; i++) {
            // transformers: 1 / base ** (float32(2i) / dim), in float32
            float exponent = (float) (2 * i) / rotaryDim;
            inv[i] = (float) (1.0 / Math.pow(base, exponent));
        }
        return inv;
    }

    /** Inverse frequencies for a block whose largest position is {@code maxPosition}. */
    float[] invFreq(long maxPosition) {
        if (!rope.type().equals("dynamic")) {
            return baseInvFreq;
        }
        int trained = rope.originalMax() > 0 ? rope.originalMax() : maxPositions;
        long seqLen = Math.max(maxPosition + 1, trained);
        double factor = rope.factor();
        double base = rope.theta() * Math.pow(factor * seqLen / trained - (factor - 1),
                (double) rotaryDim / (rotaryDim - 2));
        return plain(base);
    }

    private float yarn(float[] inv) {
        var p = rope.extra();
        double factor = rope.factor();
        int original = rope.originalMax() > 0 ? rope.originalMax() : maxPositions;
        double attentionFactor;
        if (p.hasNonNull("attention_factor")) {
            attentionFactor = p.get("attention_factor").asDouble();
        } else {
            double mscale = p.path("mscale").asDouble(0);
            double mscaleAll = p.path("mscale_all_dim").asDouble(0);
            attentionFactor = (mscale != 0 && mscaleAll != 0)
                    ? yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAll)
                    : yarnMscale(factor, 1);
        }
        double betaFast = p.path("beta_fast").asDouble(32);
        double betaSlow = p.path("beta_slow").asDouble(1);
        boolean truncate = p.path("truncate").asBoolean(true);
        double base = rope.theta();
        int dim = rotaryDim;
        double low = correctionDim(betaFast, dim, base, original);
        double high = correctionDim(betaSlow, dim, base, original);
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;
        }
        for (int i = 0; i < inv.length; i++) {
            float posFreq = (float) Math.pow(base, (float) (2 * i) / dim);
            float extrapolation = 1f / posFreq;
            float interpolation = (float) (1.0 / (factor * posFreq));
            float ramp = (float) Math.min(1, Math.max(0, (i - low) / (high - low)));
            float extrapolationFactor = 1f - ramp;
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return (float) attentionFactor;
    }

    private static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPos) {
        return dim * Math.log(maxPos / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    private void llama3(float[] inv) {
        var p = rope.extra();
        double factor = rope.factor();
        double lowFactor = p.path("low_freq_factor").asDouble(1.0);
        double highFactor = p.path("high_freq_factor").asDouble(4.0);
        double oldContext = rope.originalMax() > 0 ? rope.originalMax() : 8192;
        double lowWavelen = oldContext / lowFactor;
        double highWavelen = oldContext / highFactor;
        for (int i = 0; i < inv.length; i++) {
            double f = inv[i];
            double wavelen = 2 * Math.PI / f;
            double scaled = wavelen > lowWavelen ? f / factor : f;
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) {
                double smooth = (oldContext / wavelen - lowFactor) / (highFactor - lowFactor);
                scaled = (1 - smooth) * scaled / factor + smooth * scaled;
            }
            inv[i] = (float) scaled;
        }
    }

    /**
     * The cos and sin of every token's angles ({@code [n][rotaryDim/2]} each, attention scaling folded in), computed
     * once per forward pass and shared by all layers, queries and keys.
     */
    float[][] table(long[] positions, float[] invFreq) {
        int half = rotaryDim / 2;
        int n = positions.length;
        float[] cos = new float[n * half];
        float[] sin = new float[n * half];
        for (int t = 0; t < n; t++) {
            float pos = positions[t];
            for (int i = 0; i < half; i++) {
                float angle = invFreq[i] * pos; // float32 product, as transformers computes it
                cos[t * half + i] = (float) Math.cos(angle) * attentionScaling;
                sin[t * half + i] = (float) Math.sin(angle) * attentionScaling;
            }
        }
        return new float[][]{cos, sin};
    }

    /** Rotates {@code heads} heads of {@code headDim} floats for each of {@code n} tokens in place. */
    void apply(float[] x, int n, int heads, int headDim, float[][] table) {
        int half = rotaryDim / 2;
        float[] cos = table[0];
        float[] sin = table[1];
        for (int t = 0; t < n; t++) {
            int c = t * half;
            for (int h = 0; h < heads; h++) {
                int off = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float a = x[off + i];
                    float b = x[off + i + half];
                    x[off + i] = a * cos[c + i] - b * sin[c + i];
                    x[off + i + half] = b * cos[c + i] + a * sin[c + i];
                }
            }
        }
    }

    /** Rotates in place at {@code positions}: {@link #table} then {@link #apply(float[], int, int, int, float[][])}. */
    void apply(float[] x, int n, int heads, int headDim, long[] positions, float[] invFreq) {
        apply(x, n, heads, headDim, table(positions, invFreq));
    }
}
