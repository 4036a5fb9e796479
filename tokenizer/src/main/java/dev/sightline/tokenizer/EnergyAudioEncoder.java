package dev.sightline.tokenizer;

import java.util.SplittableRandom;

/**
 * THE TEST AUDIO ENCODER, not a model: one token per {@code tokenMillis} of 16 kHz audio (40 ms, Qwen2.5-Omni's
 * 25 tokens/s). Its features are the log-energy of 16 sub-windows plus the overall log-RMS, projected by a fixed
 * random matrix through tanh. Salience is loudness: -60 dBFS (or quieter) maps to 0 and 0 dBFS to 1. A real audio
 * tower would take salience from its attention instead.
 */
public final class EnergyAudioEncoder implements AudioEncoder {

    public static final int SAMPLE_RATE = 16_000;
    private static final int FEATURES = 17;

    private final int samplesPerToken;
    private final long microsPerToken;
    private final int dim;
    private final float[] weights; // dim x FEATURES
    private final float[] bias;

    public EnergyAudioEncoder(int tokenMillis, int dim, long seed) {
        this.samplesPerToken = SAMPLE_RATE * tokenMillis / 1000;
        this.microsPerToken = tokenMillis * 1000L;
        this.dim = dim;
        SplittableRandom rnd = new SplittableRandom(seed);
        weights = new float[dim * FEATURES];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) rnd.nextDouble(-0.5, 0.5);
        }
        bias = new float[dim];
        for (int i = 0; i < dim; i++) {
            bias[i] = (float) rnd.nextDouble(-0.2, 0.2);
        }
    }

    @Override
    public int sampleRate() {
        return SAMPLE_RATE;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public AudioEncoding encode(float[] pcm, long startPtsMicros) {
        int n = pcm.length / samplesPerToken; // a partial tail slot is ignored: ingest sends whole chunks
        float[][] emb = new float[n][];
        long[] pts = new long[n];
        float[] salience = new float[n];
        int sub = Math.max(1, samplesPerToken / (FEATURES - 1));
        float[] f = new float[FEATURES];
        for (int t = 0; t < n; t++) {
            int from = t * samplesPerToken;
            double total = 0;
            for (int s = 0; s < FEATURES - 1; s++) {
                double e = 0;
                int a = from + s * sub;
                int b = Math.min(from + samplesPerToken, a + sub);
                for (int i = a; i < b; i++) {
                    e += pcm[i] * pcm[i];
                }
                total += e;
                f[s] = (float) (Math.log10(e / Math.max(1, b - a) + 1e-6) / 3 + 1); // about [-1, 1]
            }
            double rms = Math.sqrt(total / samplesPerToken);
            double dbfs = 20 * Math.log10(rms + 1e-9);
            f[FEATURES - 1] = (float) (dbfs / 60 + 1);
            float[] e = new float[dim];
            for (int d = 0; d < dim; d++) {
                float acc = bias[d];
                for (int i = 0; i < FEATURES; i++) {
                    acc += weights[d * FEATURES + i] * f[i];
                }
                e[d] = (float) Math.tanh(acc);
            }
            emb[t] = e;
            pts[t] = startPtsMicros + t * microsPerToken;
            salience[t] = (float) Math.clamp((dbfs + 60) / 60, 0, 1);
        }
        return new AudioEncoding(emb, pts, salience);
    }
}
