package dev.sightline.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;

/**
 * The resolved configuration: every setting's value after defaults, the YAML file, environment and flags
 * (see {@link ConfigLoader}), and the streams to ingest. Immutable.
 *
 * @param values   every setting in {@link Settings#ALL} to its parsed value (absent when unset and without default)
 * @param origins  every setting to where its value came from: {@code default}, the file, {@code env ...}, {@code flag ...}
 * @param streams  the streams, from the file's {@code streams:} and {@code --stream} flags
 * @param warnings things that did not stop loading but the user should see (e.g. an unknown SIGHTLINE_ variable)
 */
public record SightlineConfig(Map<Setting<?>, Object> values, Map<Setting<?>, String> origins,
                              List<StreamConfig> streams, List<String> warnings) {

    public SightlineConfig {
        values = Map.copyOf(values);
        origins = Map.copyOf(origins);
        streams = List.copyOf(streams);
        warnings = List.copyOf(warnings);
    }

    /** The value of {@code setting}; null only for settings whose empty default means "unset". */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    /** Whether the user set it (file, environment or flag) rather than leaving the default. */
    public boolean isSet(Setting<?> setting) {
        return !"default".equals(origins.get(setting));
    }

    public String origin(Setting<?> setting) {
        return origins.get(setting);
    }

    /** An external cluster to use, or empty for the embedded broker. */
    public Optional<String> bootstrapServers() {
        String bs = get(Settings.BOOTSTRAP_SERVERS);
        return bs == null || bs.isBlank() ? Optional.empty() : Optional.of(bs.trim());
    }

    public int maxMessageBytes() {
        return get(Settings.MAX_MESSAGE_BYTES);
    }

    /** The seven topic names: each the prefix plus its suffix unless renamed. */
    public TopicNames topicNames() {
        try {
            TopicNames n = TopicNames.withPrefix(get(Settings.TOPICS_PREFIX));
            n = renamed(Settings.TOPIC_FRAMES) ? n.withFrames(get(Settings.TOPIC_FRAMES)) : n;
            n = renamed(Settings.TOPIC_AUDIO) ? n.withAudio(get(Settings.TOPIC_AUDIO)) : n;
            n = renamed(Settings.TOPIC_TOKENS) ? n.withTokens(get(Settings.TOPIC_TOKENS)) : n;
            n = renamed(Settings.TOPIC_QUERIES) ? n.withQueries(get(Settings.TOPIC_QUERIES)) : n;
            n = renamed(Settings.TOPIC_ANSWERS) ? n.withAnswers(get(Settings.TOPIC_ANSWERS)) : n;
            n = renamed(Settings.TOPIC_EVENTS) ? n.withEvents(get(Settings.TOPIC_EVENTS)) : n;
            n = renamed(Settings.TOPIC_ERRORS) ? n.withErrors(get(Settings.TOPIC_ERRORS)) : n;
            return n;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid topic names (settings topics.*): " + e.getMessage());
        }
    }

    private boolean renamed(Setting<String> topic) {
        String v = get(topic);
        return v != null && !v.isBlank();
    }

    /** How topics are created: partitions, replicas and the record size limit. */
    public TopicSettings topicSettings() {
        return new TopicSettings(get(Settings.TOPICS_PARTITIONS), get(Settings.TOPICS_REPLICATION).shortValue(),
                maxMessageBytes());
    }

    /** The configured broker data folder, if any. */
    public Optional<Path> brokerDataDir() {
        return Optional.ofNullable(get(Settings.BROKER_DATA_DIR));
    }
}
