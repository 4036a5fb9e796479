package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configured embedded broker: topics as configured, a round trip, and an external cluster used as given. */
class KafkaConnectionTest {

    @TempDir
    Path dataDir;

    @Test
    void embeddedBrokerCreatesTopicsAsConfiguredAndCarriesSightlineRecords() throws Exception {
        SightlineConfig config = ConfigLoader.load(null, Map.of(), Map.of(
                "broker.data-dir", dataDir.toString(),
                "topics.prefix", "site1.",
                "topics.partitions", "3",
                "topics.max-message-bytes", "4MiB",
                "topics.events", "site1-status"), List.of());
        try (KafkaConnection kafka = KafkaConnection.open(config, Path.of("unused"), true)) {
            assertThat(kafka.embeddedBroker()).isPresent();
            assertThat(kafka.embeddedBroker().get().dataDir()).isEqualTo(dataDir);
            Topics.ensure(kafka.bootstrapServers(), config);

            TopicNames names = config.topicNames();
            assertThat(names.events()).isEqualTo("site1-status");
            try (Admin admin = Admin.create(KafkaClientConfigs.admin(kafka.bootstrapServers()))) {
                Set<String> existing = admin.listTopics().names().get();
                assertThat(existing).containsAll(names.all());
                Map<String, TopicDescription> described = admin.describeTopics(names.all()).allTopicNames().get();
                assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(3));
                var resource = new ConfigResource(ConfigResource.Type.TOPIC, names.frames());
                String limit = admin.describeConfigs(List.of(resource)).all().get().get(resource)
                        .get("max.message.bytes").value();
                assertThat(limit).isEqualTo(String.valueOf(4 * 1024 * 1024));
            }
            SightlineRecordsRoundTrip.run(kafka.bootstrapServers(), names, config.topicSettings());
        }
        assertThat(dataDir.resolve("meta.properties")).exists(); // configured data stays after close
    }

    @Test
    void configuredBootstrapServersAreUsedWithoutStartingABroker() {
        SightlineConfig config = ConfigLoader.load(null, Map.of("SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092"),
                Map.of(), List.of());
        try (KafkaConnection kafka = KafkaConnection.open(config, dataDir, true)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("kafka-1:9092");
            assertThat(kafka.embeddedBroker()).isEmpty();
        }
    }

    @Test
    void aBusyPortIsReportedClearly() throws Exception {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            SightlineConfig config = ConfigLoader.load(null, Map.of(), Map.of(
                    "broker.port", String.valueOf(socket.getLocalPort())), List.of());
            assertThatThrownBy(() -> KafkaConnection.open(config, dataDir, true))
                    .hasMessageContaining("broker port " + socket.getLocalPort())
                    .hasMessageContaining("already in use");
        }
    }
}
