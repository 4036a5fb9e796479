package dev.sightline.deploy;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a command's Kafka is: the cluster named by {@code kafka.bootstrap-servers}, or else an embedded broker
 * started here. Everything downstream uses only {@link #bootstrapServers()}, so both cases take the same code path.
 */
public final class KafkaConnection implements AutoCloseable {

    private final String bootstrapServers;
    private final EmbeddedKafkaBroker broker;
    private boolean closed;

    private KafkaConnection(String bootstrapServers, EmbeddedKafkaBroker broker) {
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
    }

    /**
     * Uses the configured cluster, or else starts the embedded broker in the configured data folder, or in
     * {@code defaultDataDir} when none is configured.
     *
     * @param freePortUnlessSet whether to take any free port when {@code broker.port} was not set by the user
     */
    public static KafkaConnection open(SightlineConfig config, Path defaultDataDir, boolean freePortUnlessSet) {
        Optional<String> external = config.bootstrapServers();
        if (external.isPresent()) {
            return new KafkaConnection(external.get(), null);
        }
        Path dataDir = config.brokerDataDir().orElse(defaultDataDir);
        int port = freePortUnlessSet && !config.isSet(Settings.BROKER_PORT) ? 0 : config.get(Settings.BROKER_PORT);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, port, config.maxMessageBytes(),
                config.get(Settings.TOPICS_PARTITIONS));
        return new KafkaConnection(broker.bootstrapServers(), broker);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The embedded broker, when this connection started one. */
    public Optional<EmbeddedKafkaBroker> embeddedBroker() {
        return Optional.ofNullable(broker);
    }

    /** Stops the embedded broker, if this connection started one; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (broker != null) {
            broker.close();
        }
    }
}
