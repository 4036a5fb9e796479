package dev.sightline.tokenizer;

import dev.sightline.model.AudioTower;
import dev.sightline.model.TokenFeatures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's Whisper-style audio tower (log-mel, encoder, pooling projector when the checkpoint has one) behind the
 * {@link AudioEncoder} seam. A chunk is encoded in windows of {@code windowSamples} (the tower's positions limit how
 * long one pass may be); a tail shorter than {@value #MIN_TAIL_SAMPLES} samples (100 ms) is not encoded.
 *
 * <p>Salience is loudness (the token's span at -60 dBFS or below is 0, at 0 dBFS is 1), not OmniZip's attention
 * score: the model's tower does not expose its attention weights.
 */
public final class WhisperAudioEncoder implements AudioEncoder, AutoCloseable {
    static final int MIN_TAIL_SAMPLES = 1600;

    private final AudioTower tower;
    private final int windowSamples;
    private final boolean owned;
    private final int dim;

    public WhisperAudioEncoder(AudioTower tower, int windowSamples) {
        this(tower, windowSamples, false);
    }

    private WhisperAudioEncoder(AudioTower tower, int windowSamples, boolean owned) {
        if (tower.features().sampleRate() != EnergyAudioEncoder.SAMPLE_RATE) {
            throw new IllegalArgumentException("the audio tower expects " + tower.features().sampleRate()
                    + " Hz; the tokenizer resamples to 16 kHz");
        }
        if (windowSamples < MIN_TAIL_SAMPLES) {
            throw new IllegalArgumentException("windowSamples must be >= " + MIN_TAIL_SAMPLES);
        }
        this.tower = tower;
        this.windowSamples = windowSamples;
        this.owned = owned;
        this.dim = tokens(new float[windowSamples]).dim();
    }

    /** Opens a Whisper-encoder folder; {@code windowSamples} must fit the encoder's positions (30 s for Whisper). */
    public static WhisperAudioEncoder open(Path dir, int windowSamples) {
        AudioTower tower = AudioTower.load(dir);
        try {
            return new WhisperAudioEncoder(tower, windowSamples, true);
        } catch (RuntimeException e) {
            tower.close();
            throw e;
        }
    }

    private TokenFeatures tokens(float[] pcm) {
        float[] mel = tower.features().computeUnpadded(pcm);
        TokenFeatures enc = tower.encode(mel, mel.length / tower.features().mels());
        return tower.hasProjector() ? tower.project(enc) : enc;
    }

    @Override
    public int sampleRate() {
        return EnergyAudioEncoder.SAMPLE_RATE;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public AudioEncoding encode(float[] pcm, long startPtsMicros) {
        List<float[]> emb = new ArrayList<>();
        List<Long> pts = new ArrayList<>();
        List<Float> sal = new ArrayList<>();
        for (int from = 0; pcm.length - from >= MIN_TAIL_SAMPLES; from += windowSamples) {
            int to = Math.min(pcm.length, from + windowSamples);
            float[] window = java.util.Arrays.copyOfRange(pcm, from, to);
            TokenFeatures t = tokens(window);
            for (int i = 0; i < t.tokens(); i++) {
                // Token i covers an equal share of its window.
                int a = from + (int) ((long) i * window.length / t.tokens());
                int b = from + (int) ((long) (i + 1) * window.length / t.tokens());
                float[] e = new float[t.dim()];
                System.arraycopy(t.data(), i * t.dim(), e, 0, t.dim());
                emb.add(e);
                pts.add(startPtsMicros + a * 1_000_000L / sampleRate());
                sal.add(loudness(pcm, a, b));
            }
        }
        float[][] e = emb.toArray(new float[0][]);
        long[] p = new long[pts.size()];
        float[] s = new float[sal.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = pts.get(i);
            s[i] = sal.get(i);
        }
        return new AudioEncoding(e, p, s);
    }

    static float loudness(float[] pcm, int from, int to) {
        double e = 0;
        for (int i = from; i < to; i++) {
            e += pcm[i] * pcm[i];
        }
        double rms = Math.sqrt(e / Math.max(1, to - from));
        return (float) Math.clamp((20 * Math.log10(rms + 1e-9) + 60) / 60, 0, 1);
    }

    @Override
    public void close() {
        if (owned) {
            tower.close();
        }
    }
}
