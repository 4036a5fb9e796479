package dev.sightline.protocol;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Properties;

/**
 * Client settings that match the topics' size limit ({@link TopicSettings#maxMessageBytes()}): a producer that
 * may send what the topic accepts, and a consumer that can fetch it. Callers add serializers/deserializers and
 * anything else; these are the settings that must agree across the pipeline.
 */
public final class KafkaClientConfigs {
    private KafkaClientConfigs() {
    }

    /** Idempotent, {@code acks=all}, request size up to the topics' limit, no reordering on retries. */
    public static Properties producer(String bootstrapServers, int maxMessageBytes) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // idempotence keeps order up to 5
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxMessageBytes);
        // a frame batch per partition; larger batches would only delay frames
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Math.min(maxMessageBytes, 1024 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(64L * 1024 * 1024, 4L * maxMessageBytes));
        return p;
    }

    /** Fetches whole records up to the topics' limit. */
    public static Properties consumer(String bootstrapServers, String groupId, int maxMessageBytes) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxMessageBytes);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(maxMessageBytes, 50 * 1024 * 1024));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    /** For the Admin client (topic creation). */
    public static Properties admin(String bootstrapServers) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }
}
