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
     * The default model: the small audio-visual model trained on StreamQA scenes (issue 8), committed in Hugging Face
     * layout with its own audio tower. It answers questions about StreamQA-like scenes (shapes, colours, digits,
     * tones, spoken words), which is what the demo plays.
     */
    static final String DEFAULT_MODEL = "training/streamqa/model";
    /** The model module's tiny SmolVLM test checkpoint (random weights): runs everything, means nothing. */
    static final String TINY_RANDOM_MODEL = "model/src/test/resources/fixtures/smolvlm";
    /** The audio setting's default: the model's own audio tower, or the tiny test encoder for a model without one. */
    static final String AUTO_AUDIO = "auto";
    /** The model module's tiny Whisper-encoder test checkpoint (random weights), for models without an audio tower. */
    static final String TINY_AUDIO_MODEL = "model/src/test/resources/fixtures/whisper";

    /** Said wherever the default's answers are shown, so no one mistakes them for the product's quality. */
    static final String TINY_MODEL_NOTE = "model: tiny random checkpoint (answers are not meaningful; the trained "
            + "StreamQA model is the default)";

    private ModelFolders() {
    }

    /** The folder {@code configured} names, or a clear error saying where it was looked for. */
    static Path resolve(Path configured, Setting<Path> setting, SightlineConfig config) {
        if (configured.isAbsolute()) {
            return requireFolder(configured, configured.toString(), setting, config);
        }
        Path found = locate(configured);
        if (found != null) {
            return found;
        }
        String home = System.getProperty("sightline.home");
        return requireFolder(configured.toAbsolutePath(), configured + " (from the working folder"
                + (home == null ? "" : " or " + home) + ")", setting, config);
    }

    /**
     * A model folder with a {@code config.json}: {@code configured} itself when absolute; a relative one from the
     * working folder, then the Sightline checkout ({@code sightline.home}), then the parent folder (a module's
     * tests run one level down). Null when none has one.
     */
    static Path locate(Path configured) {
        String home = System.getProperty("sightline.home");
        Path[] candidates = configured.isAbsolute() ? new Path[] {configured} : new Path[] {
                configured.toAbsolutePath(),
                home == null ? null : Path.of(home).resolve(configured),
                Path.of("..").resolve(configured).toAbsolutePath(),
        };
        for (Path p : candidates) {
            if (p != null && Files.isRegularFile(p.resolve("config.json"))) {
                return p.normalize();
            }
        }
        return null;
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
        return modelDir.normalize().endsWith(Path.of(TINY_RANDOM_MODEL));
    }

    /** Whether {@code modelDir} holds a model trained on StreamQA (its folder carries {@code streamqa.json}). */
    static boolean isStreamQa(Path modelDir) {
        return Files.isRegularFile(modelDir.resolve("streamqa.json"));
    }

    /**
     * The audio tower's folder: {@code configured}, or with {@code auto} the model's own folder when its
     * {@code config.json} declares an {@code audio_config}, else the tiny test encoder.
     */
    static Path audioFolder(SightlineConfig config, Path modelDir) {
        Path configured = config.get(Settings.AUDIO_MODEL_DIR);
        if (!configured.toString().equals(AUTO_AUDIO)) {
            return resolve(configured, Settings.AUDIO_MODEL_DIR, config);
        }
        try {
            if (new ObjectMapper().readTree(modelDir.resolve("config.json").toFile()).path("audio_config").isObject()) {
                return modelDir;
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read " + modelDir.resolve("config.json") + ": " + e.getMessage());
        }
        return resolve(Path.of(TINY_AUDIO_MODEL), Settings.AUDIO_MODEL_DIR, config);
    }

    /**
     * The system prompt the runtime opens each session with: {@code runtime.system-prompt} when set; otherwise none
     * for a StreamQA-trained model (it was trained without a system turn, and one costs it accuracy) and the
     * runtime's default for any other.
     */
    static java.util.Optional<String> systemPrompt(SightlineConfig config, Path modelDir) {
        if (config.isSet(Settings.RUNTIME_SYSTEM_PROMPT)) {
            return java.util.Optional.of(config.get(Settings.RUNTIME_SYSTEM_PROMPT));
        }
        return isStreamQa(modelDir) ? java.util.Optional.of("") : java.util.Optional.empty();
    }

    /**
     * Samples of 16 kHz audio the Whisper encoder in {@code audioDir} takes in one pass: the feature extractor's own
     * window ({@code n_samples}) when it fits the encoder's positions, else the positions ({@code
     * max_source_positions}, in {@code audio_config} for a model with an audio tower) at two mel frames of 160
     * samples each, 4 frames kept spare so rounding in the log-mel framing never overflows them. 30 s for OpenAI's
     * Whisper, 1 s for the StreamQA model's tower and the tiny test encoder.
     */
    static int audioWindowSamples(Path audioDir) {
        try {
            JsonNode config = new ObjectMapper().readTree(audioDir.resolve("config.json").toFile());
            JsonNode audio = config.path("audio_config").isObject() ? config.get("audio_config") : config;
            int positions = audio.path("max_source_positions").asInt(1500);
            int hop = 160;
            int window = Integer.MAX_VALUE;
            Path pre = audioDir.resolve("preprocessor_config.json");
            if (Files.isRegularFile(pre)) {
                JsonNode p = new ObjectMapper().readTree(pre.toFile());
                hop = p.path("hop_length").asInt(160);
                window = p.path("n_samples").asInt(Integer.MAX_VALUE);
            }
            if (window <= positions * 2 * hop) {
                return Math.min(30 * 16_000, window);
            }
            return Math.min(30 * 16_000, (positions * 2 - 4) * hop);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + audioDir.resolve("config.json") + ": " + e.getMessage());
        }
    }
}
