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
    private final double[][] filters; // [mels][bins]
    private final double[] cos;       // [bins][nFft]
    private final double[] sin;

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
        this.filters = slaneyFilterBank(bins, mels, 0.0, 8000.0, sampleRate);
        this.cos = new double[bins * nFft];
        this.sin = new double[bins * nFft];
        for (int k = 0; k < bins; k++) {
            for (int n = 0; n < nFft; n++) {
                double a = 2 * Math.PI * ((long) k * n % nFft) / nFft;
                cos[k * nFft + n] = Math.cos(a);
                sin[k * nFft + n] = Math.sin(a);
            }
        }
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
        double[] logSpec = new double[mels * outFrames];
        double max = Double.NEGATIVE_INFINITY;
        double[] frame = new double[nFft];
        double[] power = new double[bins];
        for (int f = 0; f < outFrames; f++) {
            int start = f * hop - half;
            for (int n = 0; n < nFft; n++) {
                frame[n] = reflect(pcm, start + n) * window[n];
            }
            for (int k = 0; k < bins; k++) {
                double re = 0;
                double im = 0;
                int base = k * nFft;
                for (int n = 0; n < nFft; n++) {
                    re += frame[n] * cos[base + n];
                    im -= frame[n] * sin[base + n];
                }
                power[k] = re * re + im * im;
            }
            for (int m = 0; m < mels; m++) {
                double s = 0;
                double[] fm = filters[m];
                for (int k = 0; k < bins; k++) {
                    s += fm[k] * power[k];
                }
                double v = Math.log10(Math.max(s, 1e-10));
                logSpec[m * outFrames + f] = v;
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
