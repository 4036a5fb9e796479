package dev.sightline.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where the model folders are. The defaults are folders committed in this repository, so the demo needs nothing
 * downloaded; a relative path is looked up from the working folder first, then from the repository root (the
 * launcher passes it as {@code -Dsightline.home}; tests run from a module folder, one level below it).
 */
final class ModelFolders {

    /**
     * The default model: the model module's tiny SmolVLM test checkpoint (random weights). When the trained StreamQA
     * model is committed, pointing this at its folder is the whole switch.
     */
    static final String DEFAULT_MODEL = "model/src/test/resources/fixtures/smolvlm";
    /** The default audio tower: the model module's tiny Whisper-encoder test checkpoint (random weights). */
    static final String DEFAULT_AUDIO_MODEL = "model/src/test/resources/fixtures/whisper";

    /** Said wherever the default's answers are shown, so no one mistakes them for the product's quality. */
    static final String TINY_MODEL_NOTE = "model: tiny random checkpoint (answers are not meaningful; see issue 8 for "
            + "the trained StreamQA model)";

    private ModelFolders() {
    }

    /** The folder {@code configured} names, or a clear error saying where it was looked for. */
    static Path resolve(Path configured, Setting<Path> setting, SightlineConfig config) {
        if (configured.isAbsolute()) {
            return requireFolder(configured, configured.toString(), setting, config);
        }
        String home = System.getProperty("sightline.home");
        Path[] candidates = {
                configured.toAbsolutePath(),
                home == null ? null : Path.of(home).resolve(configured),
                Path.of("..").resolve(configured).toAbsolutePath(),
        };
        for (Path p : candidates) {
            if (p != null && Files.isRegularFile(p.resolve("config.json"))) {
                return p.normalize();
            }
        }
        return requireFolder(configured.toAbsolutePath(), configured + " (from the working folder"
                + (home == null ? "" : " or " + home) + ")", setting, config);
    }

    private static Path requireFolder(Path p, String shown, Setting<Path> setting, SightlineConfig config) {
        if (!Files.isRegularFile(p.resolve("config.json"))) {
            throw new ConfigException("model folder " + shown + " has no config.json (setting '" + setting.key()
                    + "', " + config.origin(setting) + "); give a Hugging Face model folder with " + setting.flag());
        }
        return p.normalize();
    }

    /** Whether {@code modelDir} is the tiny random test checkpoint (so output must say its answers mean nothing). */
    static boolean isTinyRandom(Path modelDir) {
        return modelDir.normalize().endsWith(Path.of(DEFAULT_MODEL));
    }

    /**
     * Samples of 16 kHz audio the Whisper encoder in {@code audioDir} takes in one pass: its positions
     * ({@code max_source_positions}) are two mel frames of 160 samples each; 4 frames are kept spare so rounding in
     * the log-mel framing never overflows them. 30 s for OpenAI's Whisper, 0.96 s for the tiny test encoder.
     */
    static int audioWindowSamples(Path audioDir) {
        try {
            JsonNode config = new ObjectMapper().readTree(audioDir.resolve("config.json").toFile());
            int positions = config.path("max_source_positions").asInt(1500);
            int hop = 160;
            Path pre = audioDir.resolve("preprocessor_config.json");
            if (Files.isRegularFile(pre)) {
                hop = new ObjectMapper().readTree(pre.toFile()).path("hop_length").asInt(160);
            }
            return Math.min(30 * 16_000, (positions * 2 - 4) * hop);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + audioDir.resolve("config.json") + ": " + e.getMessage());
        }
    }
}
