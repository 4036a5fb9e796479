package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @TempDir
    Path dataDir;

    @Test
    void startsAndCarriesARecordLargerThanKafkasDefaultLimit() throws Exception {
        int limit = 4 * 1024 * 1024;
        byte[] big = new byte[2 * 1024 * 1024]; // twice Kafka's 1 MiB default
        big[big.length - 1] = 42;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0, limit, 2)) {
            String bs = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
                admin.createTopics(List.of(new NewTopic("big", 1, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(limit))))).all().get();
            }
            try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs,
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, limit,
                    ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("big", "k".getBytes(), big)).get();
            }
            try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs,
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, limit), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition("big", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                ConsumerRecords<byte[], byte[]> records = ConsumerRecords.empty();
                for (int i = 0; i < 50 && records.isEmpty(); i++) {
                    records = consumer.poll(Duration.ofMillis(200));
                }
                assertThat(records.count()).isEqualTo(1);
                assertThat(records.iterator().next().value()).isEqualTo(big);
            }
        }
        assertThat(dataDir.resolve("meta.properties")).exists();
    }

    @Test
    void supportsTransactionsOnOneNodeAndKeepsDataAcrossRestarts() throws Exception {
        // The runtime will use exactly_once_v2: its transaction log must work with a single replica.
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0, 2 * 1024 * 1024, 1)) {
            String bs = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
                admin.createTopics(List.of(new NewTopic("tx", 1, (short) 1))).all().get();
                var brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
                assertThat(admin.describeConfigs(List.of(brokerResource)).all().get().get(brokerResource)
                        .get("message.max.bytes").value()).isEqualTo(String.valueOf(2 * 1024 * 1024));
            }
            try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-tx"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "committed".getBytes()));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "aborted".getBytes()));
                producer.flush();
                producer.abortTransaction();
            }
            assertThat(readCommitted(bs)).containsExactly("committed");
        }
        // Same folder again: the formatted storage and the committed record are still there.
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, 0, 2 * 1024 * 1024, 1)) {
            assertThat(readCommitted(broker.bootstrapServers())).containsExactly("committed");
        }
    }

    private static List<String> readCommitted(String bs) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition("tx", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            for (int i = 0; i < 100 && consumer.position(tp) < end; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(new String(r.value())));
            }
            return values;
        }
    }
}
