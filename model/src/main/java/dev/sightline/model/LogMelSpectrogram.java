package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whisper's log-mel features from 16 kHz mono PCM, computed as transformers' WhisperFeatureExtractor does: the
 * waveform zero-padded (or cut) to the chunk length, a centred STFT with reflect padding and a periodic Hann window,
 * the power spectrum through a Slaney-normalised mel filter bank, {@code log10} with a 1e-10 floor, the last frame
 * dropped, values clamped to 8 below the maximum, then {@code (x + 4) / 4}.
 */
public final class LogMelSpectrogram {

    private final int mels;
    private final int nFft;
    private final int hop;
    private final int sampleRate;
    private final int chunkSamples;
    private final double[] window;
    private final Matrix dft;         // [2 * bins][nFft]: cos rows, then sin rows
    private final Matrix melFilters;  // [mels][bins]

    public LogMelSpectrogram(int mels, int nFft, int hop, int sampleRate, int chunkSamples) {
        if (mels <= 0 || nFft <= 0 || hop <= 0 || sampleRate <= 0 || chunkSamples <= 0) {
            throw new IllegalArgumentException("log-mel settings must be positive");
        }
        this.mels = mels;
        this.nFft = nFft;
        this.hop = hop;
        this.sampleRate = sampleRate;
        this.chunkSamples = chunkSamples;
        this.window = new double[nFft];
        for (int i = 0; i < nFft; i++) {
            window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / nFft);
        }
        int bins = nFft / 2 + 1;
        double[][] filters = slaneyFilterBank(bins, mels, 0.0, 8000.0, sampleRate);
        float[] f = new float[mels * bins];
        for (int m = 0; m < mels; m++) {
            for (int k = 0; k < bins; k++) {
                f[m * bins + k] = (float) filters[m][k];
            }
        }
        this.melFilters = Matrix.of(f, mels, bins);
        float[] d = new float[2 * bins * nFft];
        for (int k = 0; k < bins; k++) {
            for (int n = 0; n < nFft; n++) {
                double a = 2 * Math.PI * ((long) k * n % nFft) / nFft;
                d[k * nFft + n] = (float) Math.cos(a);
                d[(bins + k) * nFft + n] = (float) Math.sin(a);
            }
        }
        this.dft = Matrix.of(d, 2 * bins, nFft);
    }

    /** Whisper's standard settings: 80 mels, 400-point FFT, hop 160, 16 kHz, 30-second chunks. */
    public static LogMelSpectrogram whisper() {
        return new LogMelSpectrogram(80, 400, 160, 16000, 480000);
    }

    /** Settings from a {@code preprocessor_config.json} object, defaulting to Whisper's with {@code mels} bins. */
    static LogMelSpectrogram fromConfig(JsonNode c, int mels) {
        int sr = c.path("sampling_rate").asInt(16000);
        int samples = c.has("n_samples") ? c.get("n_samples").asInt() : c.path("chunk_length").asInt(30) * sr;
        return new LogMelSpectrogram(c.path("feature_size").asInt(mels), c.path("n_fft").asInt(400),
                c.path("hop_length").asInt(160), sr, samples);
    }

    public int mels() {
        return mels;
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Frames produced for a padded chunk: {@code chunkSamples / hop}. */
    public int chunkFrames() {
        return chunkSamples / hop;
    }

    /** Features {@code [mels][chunkFrames]} for {@code pcm}, zero-padded or cut to the chunk length first. */
    public float[] compute(float[] pcm) {
        float[] padded = new float[chunkSamples];
        System.arraycopy(pcm, 0, padded, 0, Math.min(pcm.length, chunkSamples));
        return computeUnpadded(padded);
    }

    /**
     * Features {@code [mels][pcm.length / hop]} for exactly these samples (no padding to the chunk length): for
     * streaming windows shorter than the tower's full input.
     */
    public float[] computeUnpadded(float[] pcm) {
        int half = nFft / 2;
        if (pcm.length <= half) {
            throw new IllegalArgumentException("need more than " + half + " samples for one log-mel frame, got "
                    + pcm.length);
        }
        int frames = 1 + pcm.length / hop; // centred frames; the last is dropped below
        int bins = nFft / 2 + 1;
        int outFrames = frames - 1;
        // The STFT as one blocked product: windowed frames [outFrames][nFft] times the DFT rows, in float32 as
        // transformers' torch path computes it.
        float[] windowed = new float[outFrames * nFft];
        for (int fr = 0; fr < outFrames; fr++) {
            int start = fr * hop - half;
            for (int n = 0; n < nFft; n++) {
                windowed[fr * nFft + n] = (float) (reflect(pcm, start + n) * window[n]);
            }
        }
        float[] spectrum = new float[outFrames * 2 * bins];
        dft.matmul(windowed, outFrames, spectrum);
        float[] power = new float[outFrames * bins];
        for (int fr = 0; fr < outFrames; fr++) {
            int o = fr * 2 * bins;
            for (int k = 0; k < bins; k++) {
                float re = spectrum[o + k];
                float im = spectrum[o + bins + k];
                power[fr * bins + k] = re * re + im * im;
            }
        }
        float[] mel = new float[outFrames * mels];
        melFilters.matmul(power, outFrames, mel);
        double max = Double.NEGATIVE_INFINITY;
        double[] logSpec = new double[mels * outFrames];
        for (int fr = 0; fr < outFrames; fr++) {
            for (int m = 0; m < mels; m++) {
                double v = Math.log10(Math.max(mel[fr * mels + m], 1e-10));
                logSpec[m * outFrames + fr] = v;
                max = Math.max(max, v);
            }
        }
        float[] out = new float[logSpec.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((Math.max(logSpec[i], max - 8.0) + 4.0) / 4.0);
        }
        return out;
    }

    private static double reflect(float[] x, int i) {
        int n = x.length;
        if (i < 0) {
            i = -i;
        } else if (i >= n) {
            i = 2 * (n - 1) - i;
        }
        return x[i];
    }

    private static double hzToMel(double hz) {
        double mel = 3.0 * hz / 200.0;
        if (hz >= 1000.0) {
            mel = 15.0 + Math.log(hz / 1000.0) * (27.0 / Math.log(6.4));
        }
        return mel;
    }

    private static double melToHz(double mel) {
        double hz = 200.0 * mel / 3.0;
        if (mel >= 15.0) {
            hz = 1000.0 * Math.exp(Math.log(6.4) / 27.0 * (mel - 15.0));
        }
        return hz;
    }

    /** Triangular filters evenly spaced on the Slaney mel scale, each normalised to unit area ("slaney" norm). */
    static double[][] slaneyFilterBank(int bins, int mels, double fMin, double fMax, int sampleRate) {
        double melMin = hzToMel(fMin);
        double melMax = hzToMel(fMax);
        double[] edges = new double[mels + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = melToHz(melMin + (melMax - melMin) * i / (mels + 1));
        }
        double[] fftFreqs = new double[bins];
        for (int k = 0; k < bins; k++) {
            fftFreqs[k] = (double) (sampleRate / 2) * k / (bins - 1);
        }
        double[][] f = new double[mels][bins];
        for (int m = 0; m < mels; m++) {
            double lower = edges[m];
            double centre = edges[m + 1];
            double upper = edges[m + 2];
            double norm = 2.0 / (upper - lower);
            for (int k = 0; k < bins; k++) {
                double down = (fftFreqs[k] - lower) / (centre - lower);
                double up = (upper - fftFreqs[k]) / (upper - centre);
                f[m][k] = Math.max(0, Math.min(down, up)) * norm;
            }
        }
        return f;
    }
}
