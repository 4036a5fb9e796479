package dev.sightline.runtime;

import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the streaming runtime needs to start. Build with {@link #builder(String, Path)}; every other setting has
 * a documented default.
 *
 * @param bootstrapServers   Kafka bootstrap servers
 * @param applicationId      Kafka Streams application id (consumer group, transactional ids, state folder name)
 * @param topics             Sightline's topics (tokens and queries are read; answers, events and errors written)
 * @param incidentsTopic     where standing-question incidents go (not one of the protocol's seven topics)
 * @param topicSettings      partitions and size limit used when the runtime has to create a topic
 * @param modelDir           a Hugging Face model folder (config.json, safetensors, tokenizer.json)
 * @param stateDir           local folder for this instance's Kafka Streams state
 * @param checkpointDir      where sessions' memory checkpoints go (default {@code stateDir/sessions}); instances that
 *                           share it (one host, or a shared volume) restore each other's streams after a handover
 * @param poolBytes          the one off-heap KV pool all sessions share; a stream whose budget does not fit is refused
 * @param pageBytes          KV page size
 * @param defaults           settings of every stream not named in {@code perStream}
 * @param perStream          per-stream settings
 * @param systemPrompt       text prefilled (pinned, never evicted) at the start of every session
 * @param checkpointInterval wall-clock time between memory checkpoints
 * @param backpressure       what to skip when inference falls behind
 * @param maxLag             how old a batch may be before the backpressure policy applies
 * @param frameStride        under {@link BackpressurePolicy#LOWER_FRAME_RATE}: keep one video batch in this many
 * @param defaultMaxTokens   answer length when a query names none
 * @param maxTokensLimit     the most tokens any answer may ask for; more is an error answer
 * @param standingQuestions  questions checked as the streams go on
 * @param httpPort           HTTP port (0 = any free port, -1 = no HTTP server)
 * @param transactionTimeout producer transaction timeout; inference runs inside the transaction (see
 *                           {@link SessionProcessor})
 * @param streamThreads      Kafka Streams threads
 * @param streamsOverrides   any further Kafka Streams settings, applied last
 */
public record RuntimeConfig(String bootstrapServers, String applicationId, TopicNames topics, String incidentsTopic,
                            TopicSettings topicSettings, Path modelDir, Path stateDir, Path checkpointDir, long poolBytes, int pageBytes,
                            SessionSettings defaults, Map<String, SessionSettings> perStream, String systemPrompt,
                            Duration checkpointInterval, BackpressurePolicy backpressure, Duration maxLag,
                            int frameStride, int defaultMaxTokens, int maxTokensLimit,
                            List<StandingQuestion> standingQuestions, int httpPort, Duration transactionTimeout,
                            int streamThreads, Map<String, String> streamsOverrides) {

    public RuntimeConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(defaults, "defaults");
        checkpointDir = checkpointDir == null ? stateDir.resolve("sessions") : checkpointDir;
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException("application id must be non-blank");
        }
        perStream = Map.copyOf(perStream);
        standingQuestions = List.copyOf(standingQuestions);
        streamsOverrides = Map.copyOf(streamsOverrides);
        if (poolBytes <= 0) {
            throw new IllegalArgumentException("KV pool must be positive, got " + poolBytes + " bytes");
        }
        if (defaultMaxTokens < 1 || maxTokensLimit < defaultMaxTokens) {
            throw new IllegalArgumentException("need 1 <= defaultMaxTokens <= maxTokensLimit, got " + defaultMaxTokens
                    + " and " + maxTokensLimit);
        }
        if (frameStride < 1) {
            throw new IllegalArgumentException("frameStride must be >= 1, got " + frameStride);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpoint interval must be positive");
        }
    }

    /** The settings of {@code streamId}. */
    public SessionSettings settingsFor(String streamId) {
        return perStream.getOrDefault(streamId, defaults);
    }

    public static Builder builder(String bootstrapServers, Path stateDir) {
        return new Builder(bootstrapServers, stateDir);
    }

    /** Builder; the defaults are the documented ones. */
    public static final class Builder {
        private final String bootstrapServers;
        private final Path stateDir;
        private String applicationId = "sightline-runtime";
        private TopicNames topics = TopicNames.defaults();
        private String incidentsTopic = TopicNames.DEFAULT_PREFIX + "incidents";
        private TopicSettings topicSettings = TopicSettings.singleBroker();
        private Path modelDir;
        private Path checkpointDir;
        private long poolBytes = 512L << 20;
        private int pageBytes = 16 * 1024;
        private SessionSettings defaults = SessionSettings.defaults();
        private final Map<String, SessionSettings> perStream = new LinkedHashMap<>();
        private String systemPrompt = "You watch a live camera stream. Each frame is marked with its time."
                + " Answer questions about what you have seen and heard, briefly.";
        private Duration checkpointInterval = Duration.ofSeconds(30);
        private BackpressurePolicy backpressure = BackpressurePolicy.DROP_OLDEST;
        private Duration maxLag = Duration.ofSeconds(30);
        private int frameStride = 4;
        private int defaultMaxTokens = 64;
        private int maxTokensLimit = 512;
        private final List<StandingQuestion> standing = new java.util.ArrayList<>();
        private int httpPort = 8080;
        private Duration transactionTimeout = Duration.ofSeconds(60);
        private int streamThreads = 1;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder(String bootstrapServers, Path stateDir) {
            this.bootstrapServers = bootstrapServers;
            this.stateDir = stateDir;
        }

        public Builder applicationId(String id) { this.applicationId = id; return this; }
        public Builder topics(TopicNames t) { this.topics = t; return this; }
        public Builder incidentsTopic(String t) { this.incidentsTopic = t; return this; }
        public Builder topicSettings(TopicSettings s) { this.topicSettings = s; return this; }
        public Builder modelDir(Path dir) { this.modelDir = dir; return this; }
        public Builder checkpointDir(Path dir) { this.checkpointDir = dir; return this; }
        public Builder poolBytes(long bytes) { this.poolBytes = bytes; return this; }
        public Builder pageBytes(int bytes) { this.pageBytes = bytes; return this; }
        public Builder defaults(SessionSettings s) { this.defaults = s; return this; }
        public Builder stream(String streamId, SessionSettings s) { this.perStream.put(streamId, s); return this; }
        public Builder systemPrompt(String p) { this.systemPrompt = p; return this; }
        public Builder checkpointInterval(Duration d) { this.checkpointInterval = d; return this; }
        public Builder backpressure(BackpressurePolicy p, Duration maxLag) {
            this.backpressure = p;
            this.maxLag = maxLag;
            return this;
        }
        public Builder frameStride(int n) { this.frameStride = n; return this; }
        public Builder maxTokens(int byDefault, int limit) {
            this.defaultMaxTokens = byDefault;
            this.maxTokensLimit = limit;
            return this;
        }
        public Builder standingQuestion(StandingQuestion q) { this.standing.add(q); return this; }
        public Builder httpPort(int port) { this.httpPort = port; return this; }
        public Builder transactionTimeout(Duration d) { this.transactionTimeout = d; return this; }
        public Builder streamThreads(int n) { this.streamThreads = n; return this; }
        public Builder streamsOverride(String key, String value) { this.overrides.put(key, value); return this; }

        public RuntimeConfig build() {
            return new RuntimeConfig(bootstrapServers, applicationId, topics, incidentsTopic, topicSettings, modelDir,
                    stateDir, checkpointDir, poolBytes, pageBytes, defaults, perStream, systemPrompt, checkpointInterval,
                    backpressure, maxLag, frameStride, defaultMaxTokens, maxTokensLimit, standing, httpPort,
                    transactionTimeout, streamThreads, overrides);
        }
    }
}
