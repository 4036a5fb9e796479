package dev.sightline.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The documented "audio tower + projector in a SmolVLM-family checkpoint" layout: the SmolVLM fixture with the
 * Whisper fixture's encoder under {@code model.audio_tower.}, its projector under {@code model.audio_projector.},
 * and {@code audio_config} in config.json. The tower must give the Whisper reference outputs from there.
 */
class AudioInVlmCheckpointTest {

    @Test
    void smolVlmWithAnAudioTowerLoadsAndMatchesTheWhisperReference(@TempDir Path dir) throws Exception {
        for (String f : new String[]{"model.safetensors", "tokenizer.json"}) {
            Files.copy(Fixtures.dir("smolvlm").resolve(f), dir.resolve(f));
        }
        Files.copy(Fixtures.dir("whisper").resolve("preprocessor_config.json"),
                dir.resolve("preprocessor_config.json"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(Fixtures.dir("smolvlm").resolve("config.json").toFile());
        ObjectNode whisper = (ObjectNode) json.readTree(Fixtures.dir("whisper").resolve("config.json").toFile());
        config.set("audio_config", whisper);
        config.put("audio_pool_stride", 2);
        Files.writeString(dir.resolve("config.json"), config.toString());
        SafetensorsWriter audio = new SafetensorsWriter();
        try (Checkpoint w = Checkpoint.open(Fixtures.dir("whisper"))) {
            for (String name : w.names()) {
                Tensor t = w.tensor(name);
                String to = name.startsWith("audio_projector.") ? "model." + name : "model.audio_tower." + name;
                audio.add(to, t.dtype(), t.shape(), t.toFloats());
            }
        }
        audio.write(dir.resolve("audio.safetensors"));

        try (Model model = Model.load(dir)) {
            AudioTower tower = model.audio().orElseThrow();
            Npy.Array feats = Fixtures.npy("whisper", "features.npy");
            TokenFeatures enc = tower.encode(feats.floats(), feats.dim(2));
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy("whisper", "encoder_out.npy").asFloats(), enc.data()))
                    .isLessThan(Fixtures.TOLERANCE);
            TokenFeatures projected = tower.project(enc);
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy("whisper", "projected.npy").asFloats(), projected.data()))
                    .isLessThan(Fixtures.TOLERANCE);

            // audio tokens take the projected features, in order, like image tokens take image features
            int audioId = model.audioTokenId();
            assertThat(audioId).isEqualTo(model.tokenizer().orElseThrow().tokenId("<audio>"));
            int[] ids = model.tokenizer().orElseThrow().encode("Heard:" + "<audio>".repeat(25) + " ok");
            float[] emb = model.embedWithAudio(ids, java.util.List.of(projected));
            int first = 0;
            while (ids[first] != audioId) {
                first++;
            }
            int h = model.decoder().hiddenSize();
            assertThat(java.util.Arrays.copyOfRange(emb, first * h, first * h + h))
                    .containsExactly(java.util.Arrays.copyOfRange(projected.data(), 0, h));
            assertThatThrownBy(() -> model.embedWithAudio(java.util.Arrays.copyOf(ids, 10),
                    java.util.List.of(projected))).hasMessageContaining("audio tokens");
        }
    }
}
