package dev.sightline.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import dev.sightline.runtime.BackpressurePolicy;
import dev.sightline.runtime.RuntimeConfig;
import dev.sightline.runtime.SessionSettings;
import org.apache.kafka.streams.StreamsConfig;

/** The streaming runtime's configuration from Sightline's settings, as {@code runtime} and {@code demo} start it. */
final class RuntimeApp {

    /** How old a batch may get before the backpressure policy applies. */
    static final Duration MAX_LAG = Duration.ofSeconds(30);
    /** A question may ask for up to this many times the default answer length. */
    static final int MAX_TOKENS_FACTOR = 8;

    private RuntimeApp() {
    }

    /** Every session's settings: the configured budget, policy and page format; kv-memory's default watermarks. */
    static SessionSettings sessionSettings(SightlineConfig cfg, long budgetBytes) {
        SessionSettings d = SessionSettings.defaults();
        return new SessionSettings(budgetBytes, cfg.get(Settings.RUNTIME_POLICY), cfg.get(Settings.RUNTIME_PAGE_FORMAT),
                d.highWatermark(), d.lowWatermark(), d.recentWindow(), d.multiTurn());
    }

    /**
     * The runtime's configuration. Its incidents topic is named after the topic prefix, like the others.
     *
     * @param applicationId the Kafka Streams application id (consumer group, transactional ids)
     * @param budgetBytes each stream's KV budget
     * @param pageBytes   KV page size
     * @param httpPort    HTTP port (0 any free one, -1 none)
     */
    static RuntimeConfig config(SightlineConfig cfg, String bootstrapServers, Path stateDir, String applicationId,
                                long budgetBytes, int pageBytes, int httpPort) {
        String prefix = cfg.get(Settings.TOPICS_PREFIX);
        int maxTokens = cfg.get(Settings.RUNTIME_MAX_TOKENS);
        Path modelDir = ModelFolders.resolve(cfg.get(Settings.MODEL_DIR), Settings.MODEL_DIR, cfg);
        try {
            RuntimeConfig.Builder builder = RuntimeConfig.builder(bootstrapServers, stateDir.resolve("runtime"))
                    .applicationId(applicationId)
                    .topics(cfg.topicNames())
                    .incidentsTopic(prefix + "incidents")
                    .topicSettings(cfg.topicSettings())
                    .modelDir(modelDir)
                    .poolBytes(cfg.get(Settings.RUNTIME_POOL))
                    .pageBytes(pageBytes)
                    .defaults(sessionSettings(cfg, budgetBytes))
                    .backpressure(BackpressurePolicy.valueOf(cfg.get(Settings.RUNTIME_BACKPRESSURE)
                            .toUpperCase(Locale.ROOT)), MAX_LAG)
                    .maxTokens(maxTokens, maxTokens * MAX_TOKENS_FACTOR)
                    .httpPort(httpPort)
                    // Kafka 5.0's default; set now so Streams does not warn about it at every start
                    .streamsOverride(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
            ModelFolders.systemPrompt(cfg, modelDir).ifPresent(builder::systemPrompt);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid runtime settings: " + e.getMessage());
        }
    }

    /**
     * The configuration {@code runtime} uses: every figure as configured; application id the topic prefix +
     * {@code runtime}, so two installations with different prefixes share a cluster without meeting.
     */
    static RuntimeConfig config(SightlineConfig cfg, String bootstrapServers) {
        return config(cfg, bootstrapServers, cfg.get(Settings.STATE_DIR), cfg.get(Settings.TOPICS_PREFIX) + "runtime",
                cfg.get(Settings.RUNTIME_BUDGET),
                cfg.get(Settings.RUNTIME_PAGE_BYTES), cfg.get(Settings.RUNTIME_HTTP_PORT));
    }
}
