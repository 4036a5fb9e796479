package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** RoPE frequencies and attention scaling of every scaling type against transformers' buffers. */
class RotaryEmbeddingTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama_linear", "llama_dynamic", "llama_yarn", "qwen2"})
    void frequenciesMatchTransformersInBothConfigLayouts(String name) throws Exception {
        for (String configFile : new String[]{"config.json", "config_v4.json"}) {
            if (!Files.exists(Fixtures.dir(name).resolve(configFile))) {
                continue;
            }
            JsonNode c = new ObjectMapper().readTree(Fixtures.dir(name).resolve(configFile).toFile());
            TextConfig tc = TextConfig.parse(c, name);
            RotaryEmbedding rope = new RotaryEmbedding(tc.rope(), tc.headDim(), tc.maxPositions());
            // transformers' buffer was saved after a forward pass over 24 tokens (dynamic NTK grows with length)
            float[] inv = rope.invFreq(23);
            float[] expected = Fixtures.npy(name, "inv_freq.npy").asFloats();
            assertThat(inv).hasSameSizeAs(expected);
            for (int i = 0; i < inv.length; i++) {
                assertThat(inv[i]).as(configFile + " inv_freq[" + i + "]").isCloseTo(expected[i],
                        within(Math.abs(expected[i]) * 1e-5f + 1e-9f));
            }
            JsonNode info = new ObjectMapper().readTree(Fixtures.dir(name).resolve("rope_info.json").toFile());
            assertThat((double) rope.attentionScaling()).isCloseTo(info.get("attention_scaling").asDouble(),
                    within(1e-6));
        }
    }
}
