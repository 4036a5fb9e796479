package dev.sightline.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import dev.sightline.protocol.KafkaClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the beginning to its current end without a consumer group (so it leaves no offsets behind),
 * keeping only the records of one stream id, so a shared cluster's older data does not blur what the demo shows.
 */
final class TopicReader {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private TopicReader() {
    }

    /** The values of {@code topic}'s records keyed {@code streamId}, in partition-then-offset order. */
    static <T> List<T> read(String bootstrapServers, String topic, String streamId, int maxBytes,
                            Deserializer<T> values) {
        List<T> out = new ArrayList<>();
        forEach(bootstrapServers, topic, streamId, maxBytes, values, out::add);
        return out;
    }

    /** How many records of {@code streamId} each topic holds, by consuming them (values are not kept). */
    static Map<String, Long> count(String bootstrapServers, List<String> topics, String streamId, int maxBytes) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String topic : topics) {
            long[] n = {0};
            forEach(bootstrapServers, topic, streamId, maxBytes, new ByteArrayDeserializer(), v -> n[0]++);
            counts.put(topic, n[0]);
        }
        return counts;
    }

    private static <T> void forEach(String bootstrapServers, String topic, String streamId, int maxBytes,
                                    Deserializer<T> values, Consumer<T> action) {
        Properties p = KafkaClientConfigs.consumer(bootstrapServers, null, maxBytes);
        p.put("enable.auto.commit", "false");
        p.put("isolation.level", "read_committed"); // tokens and answers are written in transactions
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, READ_TIMEOUT));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    if (streamId.equals(r.key())) {
                        action.accept(r.value());
                    }
                }
            }
        }
    }

    private static boolean reachedEnd(KafkaConsumer<String, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
