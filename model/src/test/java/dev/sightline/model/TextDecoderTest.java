package dev.sightline.model;

import dev.sightline.kv.DenseKvSequence;
import dev.sightline.kv.KvSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The text decoders against transformers' float32 outputs from the same BF16 weights. */
class TextDecoderTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama_dynamic", "llama_yarn", "qwen2"})
    void logitsMatchTransformers(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            int[] ids = Fixtures.ints(Fixtures.npy(name, "input_ids.npy").asLongs());
            float[] expected = Fixtures.npy(name, "logits.npy").asFloats();
            float[] logits = model.logits(ids, java.util.List.of());
            assertThat(Fixtures.maxAbsDiff(expected, logits)).isLessThan(Fixtures.TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void hiddenStateAfterFirstLayerMatches(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            int[] ids = Fixtures.ints(Fixtures.npy(name, "input_ids.npy").asLongs());
            float[][] hidden = new float[1][];
            try (KvSequence kv = model.newDenseSequence()) {
                model.decoder().forward(model.decoder().embed(ids), Model.textTokens(0, ids.length), kv,
                        TextDecoder.Logits.NONE, hidden);
            }
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy(name, "hidden_1.npy").asFloats(), hidden[0]))
                    .isLessThan(Fixtures.TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama_dynamic", "llama_yarn", "qwen2"})
    void greedyContinuationIsIdentical(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            int[] prompt = Fixtures.ints(Fixtures.npy(name, "greedy_prompt.npy").asLongs());
            int[] full = Fixtures.ints(Fixtures.npy(name, "greedy.npy").asLongs());
            int[] expected = Arrays.copyOfRange(full, prompt.length, full.length);
            Generator gen = new Generator(model.decoder());
            StringBuilder streamed = new StringBuilder();
            int[] got;
            try (KvSequence kv = model.newDenseSequence()) {
                got = gen.generate(kv, prompt, Generator.Options.greedy(expected.length, gen.defaultStopTokens()),
                        id -> streamed.append(id).append(','));
            }
            assertThat(got).containsExactly(expected);
            assertThat(streamed.toString().split(",")).hasSize(expected.length);
        }
    }

    @Test
    void incrementalPrefillEqualsOneBlock() {
        try (Model model = Model.load(Fixtures.dir("qwen2"))) {
            int[] ids = Fixtures.ints(Fixtures.npy("qwen2", "input_ids.npy").asLongs());
            float[] expected = Fixtures.npy("qwen2", "logits.npy").asFloats();
            int vocab = model.decoder().vocabSize();
            TextDecoder d = model.decoder();
            try (DenseKvSequence kv = model.newDenseSequence()) {
                int[] cuts = {0, 7, 8, 19, ids.length};
                for (int c = 0; c + 1 < cuts.length; c++) {
                    int[] part = Arrays.copyOfRange(ids, cuts[c], cuts[c + 1]);
                    float[] all = d.forward(d.embed(part), Model.textTokens(kv.nextPosition(), part.length), kv,
                            TextDecoder.Logits.ALL);
                    float[] want = Arrays.copyOfRange(expected, cuts[c] * vocab, cuts[c + 1] * vocab);
                    assertThat(Fixtures.maxAbsDiff(want, all)).isLessThan(Fixtures.TOLERANCE);
                }
                assertThat(kv.size()).isEqualTo(ids.length);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama_dynamic", "llama_yarn"})
    void transformers4ConfigLayoutGivesTheSameLogits(String name, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path src = Fixtures.dir(name);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().startsWith("config")) {
                    Files.copy(f, tmp.resolve(f.getFileName()));
                }
            }
        }
        Files.copy(src.resolve("config_v4.json"), tmp.resolve("config.json"));
        try (Model model = Model.load(tmp)) {
            int[] ids = Fixtures.ints(Fixtures.npy(name, "input_ids.npy").asLongs());
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy(name, "logits.npy").asFloats(),
                    model.logits(ids, java.util.List.of()))).isLessThan(Fixtures.TOLERANCE);
        }
    }

    @Test
    void q8DecoderStaysCloseAndAgreesOnTheTopToken() {
        try (Model model = Model.load(Fixtures.dir("llama"), new Model.Options(true))) {
            int[] ids = Fixtures.ints(Fixtures.npy("llama", "input_ids.npy").asLongs());
            float[] expected = Fixtures.npy("llama", "logits.npy").asFloats();
            float[] got = model.logits(ids, java.util.List.of());
            assertThat(Fixtures.maxAbsDiff(expected, got)).isLessThan(0.1f).isGreaterThan(0f);
        }
    }
}
