package dev.sightline.protocol.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) inside the test JVM, through Kafka's own
 * {@code KafkaClusterTestKit}. No Docker, ready in about 3 s.
 *
 * <p>As a JUnit 5 extension (one broker per test class):
 * <pre>
 *   &#64;RegisterExtension
 *   static final KafkaTestBroker BROKER = new KafkaTestBroker();
 *   ... BROKER.bootstrapServers() ...
 * </pre>
 * or with try-with-resources: {@code try (var broker = KafkaTestBroker.start()) { ... }}.
 *
 * <p>Users of {@code dev.sightline:protocol:test-jar} must also declare
 * {@code org.apache.kafka:kafka-test-common-runtime} at test scope (test dependencies are not transitive).
 * The broker accepts messages up to 16 MiB ({@code message.max.bytes}); topics narrow that per topic.
 */
public final class KafkaTestBroker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    /** Broker-wide message limit: above every topic's {@code max.message.bytes} that tests use. */
    public static final int MESSAGE_MAX_BYTES = 16 * 1024 * 1024;

    private final Map<String, Object> extraConfig = new LinkedHashMap<>();
    private KafkaClusterTestKit cluster;

    public KafkaTestBroker() {
    }

    /** Adds or overrides a broker setting; call before the broker starts. */
    public KafkaTestBroker withConfig(String key, Object value) {
        if (cluster != null) {
            throw new IllegalStateException("broker already started");
        }
        extraConfig.put(key, value);
        return this;
    }

    /** A started broker, for try-with-resources. */
    public static KafkaTestBroker start() {
        KafkaTestBroker broker = new KafkaTestBroker();
        broker.startBroker();
        return broker;
    }

    /** Starts the broker and waits until it serves requests. Idempotent. */
    public synchronized KafkaTestBroker startBroker() {
        if (cluster != null) {
            return this;
        }
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    // one broker: internal topics cannot have more replicas than that
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("message.max.bytes", Integer.toString(MESSAGE_MAX_BYTES))
                    .setConfigProp("replica.fetch.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));
            extraConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit c = builder.build();
            c.format();
            c.startup();
            c.waitForReadyBrokers();
            cluster = c;
            return this;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the test broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka test broker: " + e, e);
        }
    }

    /** {@code host:port} of the broker's client listener. */
    public String bootstrapServers() {
        if (cluster == null) {
            throw new IllegalStateException("broker not started");
        }
        return cluster.bootstrapServers();
    }

    /** A new Admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    public boolean running() {
        return cluster != null;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startBroker();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public synchronized void close() throws Exception {
        if (cluster != null) {
            KafkaClusterTestKit c = cluster;
            cluster = null;
            c.close();
        }
    }
}
