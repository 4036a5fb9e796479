package dev.sightline.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker in KRaft mode (one process that is both broker and controller), run in-process
 * from Apache Kafka's own server classes.
 *
 * <p>Why in-process rather than a child process running {@code kafka.Kafka}: the demo and the tests start and stop
 * it in seconds without a second JVM (which costs several seconds and ~0.5 GB on a 2-core edge box), and its
 * lifecycle is tied to ours, so Ctrl-C can never leave an orphan broker holding the port and the data folder. It is
 * the same code path as the {@code kafka-storage.sh format} + {@code kafka-server-start.sh} pair: the storage is
 * formatted with Kafka's {@link Formatter} (once; an already formatted folder is reused, so data survives restarts)
 * and then {@link KafkaRaftServer} runs it. Kafka's test kit is deliberately not used: it is an internal test API.
 *
 * <p>Clients see it only through {@link #bootstrapServers()}: everything else in Sightline talks to it exactly as to
 * an external cluster.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, int port, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
    }

    /**
     * Formats the data folder if needed, starts the broker and waits until it accepts clients.
     *
     * @param dataDir         where the log segments and KRaft metadata live (created if missing)
     * @param port            client port on 127.0.0.1; 0 picks a free one
     * @param maxMessageBytes the broker's {@code message.max.bytes}: the largest record batch it accepts
     * @param partitions      default partition count for topics created without one
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int maxMessageBytes, int partitions) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create broker data folder " + dataDir + ": " + e.getMessage(), e);
        }
        int clientPort = port == 0 ? freePort() : requireFree(port);
        int controllerPort = freePort();
        String logDir = dataDir.toAbsolutePath().toString();
        KafkaConfig config = KafkaConfig.fromProps(
                serverProperties(logDir, clientPort, controllerPort, maxMessageBytes, partitions), false);
        format(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, clientPort, server);
        try {
            server.startup();
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** The settings of a one-node cluster: replication factor 1 everywhere, including the transaction log. */
    static Properties serverProperties(String logDir, int clientPort, int controllerPort, int maxMessageBytes,
                                       int partitions) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("metadata.log.dir", logDir);
        // Frames are large records: the broker must accept what our producers are allowed to send.
        p.put("message.max.bytes", String.valueOf(maxMessageBytes));
        p.put("replica.fetch.max.bytes", String.valueOf(maxMessageBytes));
        p.put("num.partitions", String.valueOf(partitions));
        // Topics are created explicitly (with the right size limits) by TopicSetup, never by a stray producer.
        p.put("auto.create.topics.enable", "false");
        // One node: every internal topic has a single replica. Few partitions keep start-up fast on 2 cores.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        // The runtime uses exactly_once_v2 (transactions), which needs the transaction state log on this node.
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    /** Writes meta.properties and the bootstrap checkpoint; a folder formatted before is left as it is. */
    private static void format(String logDir) {
        if (Files.exists(Path.of(logDir, "meta.properties"))) {
            return; // formatted by an earlier run: keep its cluster id and data
        }
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try {
            new Formatter()
                    .setPrintStream(quiet)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir))
                    .setMetadataLogDirectory(logDir)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName("CONTROLLER")
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("embedded Kafka broker on " + bootstrapServers()
                                + " did not become ready within " + READY_TIMEOUT.toSeconds() + " s", e);
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    /** {@code 127.0.0.1:<port>}, for any Kafka client. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Blocks until the broker has shut down (after {@link #close()} from another thread, e.g. a shutdown hook). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Stops the broker cleanly; its data stays in {@link #dataDir()}. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port on 127.0.0.1", e);
        }
    }

    private static int requireFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("broker port " + port + " on 127.0.0.1 is already in use (" + e.getMessage()
                    + "); if `sightline broker` runs there, pass --bootstrap-servers 127.0.0.1:" + port
                    + ", or choose another port with --broker-port (0: any free port)", e);
        }
    }
}
