package dev.sightline.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The logits command's file contract, end to end on the fixtures. */
class LogitsFilesTest {

    @Test
    void writesTransformersLogitsForTextAndImages(@TempDir Path tmp) {
        Path out = tmp.resolve("logits.npy");
        long[] shape = LogitsFiles.run(Fixtures.dir("smolvlm"), Fixtures.dir("smolvlm").resolve("input_ids.npy"),
                Fixtures.dir("smolvlm").resolve("pixel_values.npy"), out, Model.Options.defaults());
        Npy.Array got = Npy.read(out);
        assertThat(got.shape()).containsExactly(shape);
        assertThat(Fixtures.maxAbsDiff(Fixtures.npy("smolvlm", "logits.npy").asFloats(), got.floats()))
                .isLessThan(Fixtures.TOLERANCE);

        LogitsFiles.run(Fixtures.dir("qwen2"), Fixtures.dir("qwen2").resolve("input_ids.npy"), null, out,
                Model.Options.defaults());
        assertThat(Npy.read(out).shape()).containsExactly(1, 24, 512);
    }

    @Test
    void badInputsAreNamed(@TempDir Path tmp) {
        Path out = tmp.resolve("logits.npy");
        Path ids = Fixtures.dir("smolvlm").resolve("input_ids.npy");
        // text-only model given pixel values
        assertThatThrownBy(() -> LogitsFiles.run(Fixtures.dir("qwen2"), Fixtures.dir("qwen2").resolve("input_ids.npy"),
                Fixtures.dir("smolvlm").resolve("pixel_values.npy"), out, Model.Options.defaults()))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("takes no pixel values");
        // one image where the prompt has two images' tokens
        Path oneImage = tmp.resolve("pv1.npy");
        Npy.Array pv = Fixtures.npy("smolvlm", "pixel_values.npy");
        Npy.writeFloats(oneImage, java.util.Arrays.copyOf(pv.floats(), pv.floats().length / 2), 1, 1, 3, 32, 32);
        assertThatThrownBy(() -> LogitsFiles.run(Fixtures.dir("smolvlm"), ids, oneImage, out,
                Model.Options.defaults())).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("1 images").hasMessageContaining("8 image tokens");
        // wrong image size
        Path wrong = tmp.resolve("pv2.npy");
        Npy.writeFloats(wrong, new float[2 * 3 * 16 * 16], 1, 2, 3, 16, 16);
        assertThatThrownBy(() -> LogitsFiles.run(Fixtures.dir("smolvlm"), ids, wrong, out, Model.Options.defaults()))
                .hasMessageContaining("[1, N, 3, 32, 32]");
        // ids of the wrong rank
        Path flat = tmp.resolve("ids.npy");
        Npy.writeLongs(flat, new long[]{1, 2, 3}, 3);
        assertThatThrownBy(() -> LogitsFiles.run(Fixtures.dir("qwen2"), flat, null, out, Model.Options.defaults()))
                .hasMessageContaining("[1, T]");
    }
}
