package dev.sightline.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PreprocessingTest {

    @Test
    void framePromptTokenizesLikeTheReferenceLayout() {
        try (Model model = Model.load(Fixtures.dir("smolvlm"))) {
            int per = model.vision().orElseThrow().tokensPerImage();
            String prompt = "<|im_start|>User:" + FramePrompt.frame(0, per) + FramePrompt.frame(1_400_000, per)
                    + "\nWhat moved?" + FramePrompt.END_OF_UTTERANCE + "\nAssistant:";
            int[] expected = Fixtures.ints(Fixtures.npy("smolvlm", "input_ids.npy").asLongs());
            assertThat(model.tokenizer().orElseThrow().encode(prompt)).containsExactly(expected);
        }
        assertThat(FramePrompt.timestamp(754_000_000L)).isEqualTo("12:34");
        assertThatThrownBy(() -> FramePrompt.timestamp(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void framesAtTowerSizeAreRescaledAndNormalisedExactly() {
        ImagePreprocessor p = new ImagePreprocessor(2, new float[]{0.5f, 0.5f, 0.5f}, new float[]{0.5f, 0.5f, 0.5f},
                1f / 255f);
        byte[] rgb = {(byte) 255, 0, (byte) 128, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 255};
        float[] out = p.process(rgb, 2, 2);
        assertThat(out).hasSize(12);
        assertThat(out[0]).isCloseTo(1f, within(1e-6f));       // R of pixel 0
        assertThat(out[4]).isCloseTo(-1f, within(1e-6f));      // G of pixel 0
        assertThat(out[8]).isCloseTo(128 / 127.5f - 1f, within(1e-6f)); // B of pixel 0
        assertThat(out[11]).isCloseTo(1f, within(1e-6f));      // B of pixel 3
    }

    @Test
    void largerFramesAreResizedToTheTowerSize() {
        ImagePreprocessor p = new ImagePreprocessor(4, new float[]{0, 0, 0}, new float[]{1, 1, 1}, 1f);
        byte[] rgb = new byte[16 * 8 * 3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                rgb[(y * 16 + x) * 3] = (byte) (x < 8 ? 0 : 200); // left half dark, right half bright (red)
            }
        }
        float[] out = p.process(rgb, 16, 8);
        assertThat(out).hasSize(48);
        // Pillow's LANCZOS (SmolVLM's default) rings at the edge: 0 12 188 204 on every row of the red channel.
        assertThat(new float[]{out[0], out[1], out[2], out[3]}).containsExactly(0f, 12f, 188f, 204f);
        assertThat(out[16]).isZero(); // green stays black
        assertThatThrownBy(() -> p.process(new byte[5], 2, 2)).hasMessageContaining("needs 12 bytes");
    }
}
