package dev.sightline.runtime;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Re-reads the token batches a restored session missed: from just after its checkpoint up to where the Kafka Streams
 * application committed (exclusive), i.e. exactly the batches whose effects on the memory were lost with the process.
 * Batches from the committed offset on are delivered by Kafka Streams itself as usual.
 *
 * <p>Reads {@code read_committed}; asks the group's committed offset without joining the group.
 */
final class TokenReplayer {
    interface BatchSink {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    private final Properties props;
    private final Duration timeout;

    TokenReplayer(String bootstrapServers, String groupId, int maxFetchBytes, Duration timeout) {
        this.timeout = timeout;
        props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxFetchBytes);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-replay");
    }

    /**
     * Replays {@code topic}-{@code partition} from {@code fromOffset} (clamped to the log start) to the group's committed
     * offset. Returns the number of records replayed.
     */
    long replay(String topic, int partition, long fromOffset, BatchSink sink) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(tp), timeout);
            OffsetAndMetadata end = committed.get(tp);
            if (end == null || end.offset() <= fromOffset) {
                return 0;
            }
            consumer.assign(List.of(tp));
            long start = Math.max(fromOffset, consumer.beginningOffsets(List.of(tp), timeout).get(tp));
            consumer.seek(tp, start);
            long replayed = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(tp, timeout) < end.offset()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replay of " + tp + " from " + start + " to " + end.offset()
                            + " did not finish within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.offset()) {
                        return replayed;
                    }
                    sink.accept(r);
                    replayed++;
                }
            }
            return replayed;
        }
    }
}
