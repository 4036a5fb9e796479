package dev.sightline.deploy;

import java.nio.file.Path;
import java.util.Properties;

import dev.sightline.tokenizer.SmolVlmFrameEncoder;
import dev.sightline.tokenizer.Tokenizer;
import dev.sightline.tokenizer.StageSettings;
import dev.sightline.tokenizer.TokenizerConfig;
import dev.sightline.tokenizer.TokenizerMetrics;
import dev.sightline.tokenizer.WhisperAudioEncoder;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The tokenizer topology as {@code tokenize} and {@code demo} run it: the configured model's vision tower and the
 * configured audio tower behind the tokenizer's seams, the four reduction stages at their defaults, reading and
 * writing the configured topics. Closing it stops the application, then unmaps the towers.
 */
final class TokenizerApp implements AutoCloseable {

    final Tokenizer tokenizer;
    final Path modelDir;
    final Path audioDir;
    private final SmolVlmFrameEncoder vision;
    private final WhisperAudioEncoder hearing;

    private TokenizerApp(Tokenizer tokenizer, Path modelDir, Path audioDir, SmolVlmFrameEncoder vision,
                         WhisperAudioEncoder hearing) {
        this.tokenizer = tokenizer;
        this.modelDir = modelDir;
        this.audioDir = audioDir;
        this.vision = vision;
        this.hearing = hearing;
    }

    /** Opens the towers and starts the application with Kafka Streams id {@code applicationId}. */
    static TokenizerApp start(SightlineConfig cfg, String bootstrapServers, Path stateDir, String applicationId) {
        Path modelDir = ModelFolders.resolve(cfg.get(Settings.MODEL_DIR), Settings.MODEL_DIR, cfg);
        Path audioDir = ModelFolders.audioFolder(cfg, modelDir);
        SmolVlmFrameEncoder vision = SmolVlmFrameEncoder.open(modelDir);
        WhisperAudioEncoder hearing = null;
        try {
            hearing = WhisperAudioEncoder.open(audioDir, ModelFolders.audioWindowSamples(audioDir));
            if (hearing.dim() != vision.dim()) {
                throw new ConfigException("the audio tower in " + audioDir + " gives tokens of width " + hearing.dim()
                        + " but the model in " + modelDir + " takes " + vision.dim() + " (settings '"
                        + Settings.AUDIO_MODEL_DIR.key() + "' and '" + Settings.MODEL_DIR.key() + "')");
            }
            Properties props = Tokenizer.streamsProperties(bootstrapServers, applicationId, cfg.maxMessageBytes());
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("tokenizer").toString());
            props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) cfg.topicSettings().replicationFactor());
            Tokenizer tokenizer = new Tokenizer(props, TokenizerConfig.standard().withTopics(cfg.topicNames())
                    .withDefaults(stages(cfg, modelDir)), vision, hearing);
            tokenizer.start();
            return new TokenizerApp(tokenizer, modelDir, audioDir, vision, hearing);
        } catch (RuntimeException e) {
            if (hearing != null) {
                hearing.close();
            }
            closeQuietly(vision);
            throw e;
        }
    }

    /** The reduction stages {@code tokenizer.stages} asks for ({@code auto}: see the setting). */
    static StageSettings stages(SightlineConfig cfg, Path modelDir) {
        return switch (cfg.get(Settings.TOKENIZER_STAGES)) {
            case "on" -> StageSettings.DEFAULTS;
            case "off" -> StageSettings.ALL_OFF;
            default -> ModelFolders.isStreamQa(modelDir) ? StageSettings.ALL_OFF : StageSettings.DEFAULTS;
        };
    }

    /** The application id {@code tokenize} uses: the topic prefix + {@code tokenizer}. */
    static String applicationId(SightlineConfig cfg) {
        return cfg.get(Settings.TOPICS_PREFIX) + "tokenizer";
    }

    TokenizerMetrics metrics() {
        return tokenizer.metrics();
    }

    /** One line of counters: frames and audio in, frames out, tokens before and after the reduction stages. */
    String summary() {
        TokenizerMetrics m = tokenizer.metrics();
        return String.format("%d frames and %d audio chunks in, %d frames out; vision tower ran on %d frames; "
                        + "video tokens %d -> %d, audio tokens %d -> %d; %d bad records", m.framesIn(),
                m.audioChunksIn(), m.framesOut(), m.framesEncoded(), m.pixelGate.tokensIn(),
                m.videoAllocation.tokensOut(), m.audioPruning.tokensIn(), m.audioPruning.tokensOut(),
                m.badRecords());
    }

    @Override
    public void close() {
        tokenizer.close();
        hearing.close();
        closeQuietly(vision);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // unmapping the weights; nothing to report to the user
        }
    }
}
