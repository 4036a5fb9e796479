package dev.sightline.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** Plain Kafka clients as an outside user (or kcat) would use them: bytes in, JSON strings out. */
final class KafkaIo implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final String bootstrap;
    final KafkaProducer<String, byte[]> batches;
    final KafkaProducer<String, String> text;

    KafkaIo(String bootstrap) {
        this.bootstrap = bootstrap;
        batches = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        text = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
    }

    void batch(String topic, TokenBatch b) {
        batches.send(new ProducerRecord<>(topic, b.streamId(), TokenBatchSerde.toBytes(b)));
    }

    /** A query as raw JSON text, keyed by stream id (kcat -K: style). */
    void json(String topic, String key, String json) {
        text.send(new ProducerRecord<>(topic, key, json));
        text.flush();
    }

    void flush() {
        batches.flush();
        text.flush();
    }

    /** A read_committed consumer from the beginning of {@code topic}, values as JSON strings. */
    KafkaConsumer<String, String> reader(String topic) {
        KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Polls {@code consumer} into {@code seen} until {@code done} holds for it, or fails after {@code timeout}. */
    static List<JsonNode> pollUntil(KafkaConsumer<String, String> consumer, List<JsonNode> seen,
                                    Predicate<List<JsonNode>> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " with " + seen.size() + " records: " + seen);
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(JSON.readTree(r.value()));
            }
        }
        return seen;
    }

    static List<JsonNode> withField(List<JsonNode> nodes, String field, String value) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : nodes) {
            if (value.equals(n.path(field).asText())) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public void close() {
        batches.close();
        text.close();
    }
}
