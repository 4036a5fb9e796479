package dev.sightline.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Log-mel, Whisper encoder and projector against transformers' WhisperFeatureExtractor and WhisperEncoder. */
class AudioTowerTest {

    @Test
    void logMelMatchesWhisperFeatureExtractor() {
        try (AudioTower tower = AudioTower.load(Fixtures.dir("whisper"))) {
            LogMelSpectrogram lm = tower.features();
            float[] full = lm.compute(Fixtures.npy("whisper", "pcm.npy").asFloats());
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy("whisper", "features.npy").asFloats(), full))
                    .isLessThan(Fixtures.TOLERANCE);
            float[] padded = lm.compute(Fixtures.npy("whisper", "pcm_short.npy").asFloats());
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy("whisper", "features_short.npy").asFloats(), padded))
                    .isLessThan(Fixtures.TOLERANCE);
        }
    }

    @Test
    void encoderAndProjectorMatchTransformers() {
        try (AudioTower tower = AudioTower.load(Fixtures.dir("whisper"))) {
            Npy.Array feats = Fixtures.npy("whisper", "features.npy");
            TokenFeatures enc = tower.encode(feats.floats(), feats.dim(2));
            assertThat(enc.tokens()).isEqualTo(50);
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy("whisper", "encoder_out.npy").asFloats(), enc.data()))
                    .isLessThan(Fixtures.TOLERANCE);
            TokenFeatures proj = tower.project(enc);
            assertThat(proj.tokens()).isEqualTo(25);
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy("whisper", "projected.npy").asFloats(), proj.data()))
                    .isLessThan(Fixtures.TOLERANCE);
        }
    }

    @Test
    void shortWindowsEncodeWithoutPaddingToTheChunk() {
        try (AudioTower tower = AudioTower.load(Fixtures.dir("whisper"))) {
            float[] pcm = java.util.Arrays.copyOf(Fixtures.npy("whisper", "pcm.npy").asFloats(), 8000);
            TokenFeatures t = tower.audioTokens(pcm);
            assertThat(t.tokens()).isEqualTo(AudioTower.encodedLength(50) / 2);
            assertThat(t.dim()).isEqualTo(64);
        }
    }

    @Test
    void sinusoidsMatchTheStoredPositions() {
        // the fixture stores Whisper's sinusoidal table rounded to BF16
        float[] stored = Checkpoint.open(Fixtures.dir("whisper")).tensor("embed_positions.weight").toFloats();
        assertThat(Fixtures.maxAbsDiff(stored, AudioTower.sinusoids(50, 64))).isLessThan(4e-3f);
    }
}
