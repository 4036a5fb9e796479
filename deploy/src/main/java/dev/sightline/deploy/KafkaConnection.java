package dev.sightline.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a command's Kafka is: the cluster named by {@code kafka.bootstrap-servers}, or else an embedded broker
 * started here. Everything downstream uses only {@link #bootstrapServers()}, so both cases take the same code path.
 */
public final class KafkaConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnection.class);

    private final String bootstrapServers;
    private final EmbeddedKafkaBroker broker;
    private final Path tempDir;
    private boolean closed;

    private KafkaConnection(String bootstrapServers, EmbeddedKafkaBroker broker, Path tempDir) {
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
        this.tempDir = tempDir;
    }

    /**
     * Uses the configured cluster, or starts the embedded broker in the configured data folder, or (when none is
     * configured and {@code temporary} is true) in a temporary folder deleted on close.
     *
     * @param defaultDataDir data folder when none is configured and not {@code temporary}
     * @param freePortUnlessSet whether to take any free port when {@code broker.port} was not set by the user
     */
    public static KafkaConnection open(SightlineConfig config, Path defaultDataDir, boolean temporary,
                                       boolean freePortUnlessSet) {
        Optional<String> external = config.bootstrapServers();
        if (external.isPresent()) {
            return new KafkaConnection(external.get(), null, null);
        }
        Path tempDir = null;
        Path dataDir;
        if (config.brokerDataDir().isPresent()) {
            dataDir = config.brokerDataDir().get();
        } else if (temporary) {
            try {
                tempDir = Files.createTempDirectory("sightline-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary folder for the embedded broker", e);
            }
            dataDir = tempDir;
        } else {
            dataDir = defaultDataDir;
        }
        int port = freePortUnlessSet && !config.isSet(Settings.BROKER_PORT) ? 0 : config.get(Settings.BROKER_PORT);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, port, config.maxMessageBytes(),
                config.get(Settings.TOPICS_PARTITIONS));
        return new KafkaConnection(broker.bootstrapServers(), broker, tempDir);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The embedded broker, when this connection started one. */
    public Optional<EmbeddedKafkaBroker> embeddedBroker() {
        return Optional.ofNullable(broker);
    }

    /** Stops the embedded broker (if any) and deletes its temporary folder; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (broker != null) {
            broker.close();
        }
        if (tempDir != null) {
            deleteTree(tempDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete temporary broker folder {}: {}", dir, e.getMessage());
        }
    }
}
