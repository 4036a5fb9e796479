package dev.sightline.tokenizer;

import dev.sightline.protocol.TopicSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Properties;

/**
 * The tokenizer as a running Kafka Streams application: frames and audio in, token batches out, exactly once.
 *
 * <pre>
 *   var tokenizer = new Tokenizer(Tokenizer.streamsProperties(bootstrap, "sightline-tokenizer",
 *           TopicSettings.DEFAULT_MAX_MESSAGE_BYTES), TokenizerConfig.standard(), visionTower, audioTower);
 *   tokenizer.start();
 * </pre>
 */
public final class Tokenizer implements AutoCloseable {

    private final KafkaStreams streams;
    private final TokenizerMetrics metrics = new TokenizerMetrics();

    public Tokenizer(Properties streamsProperties, TokenizerConfig config, FrameEncoder frameEncoder,
                     AudioEncoder audioEncoder) {
        this.streams = new KafkaStreams(TokenizerTopology.build(config, frameEncoder, audioEncoder, metrics),
                streamsProperties);
    }

    /**
     * Settings the topology needs: exactly-once (v2), clients sized to the topics' record limit, and a
     * transaction timeout with room for a slow vision tower on a CPU (a frame's encoding runs inside the
     * transaction; past the timeout the producer would be fenced).
     */
    public static Properties streamsProperties(String bootstrapServers, String applicationId, int maxMessageBytes) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true); // 5.0's default, no warning
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxMessageBytes);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 120_000);
        // Observed with the 4.3.1 client on a transactions-v2 broker: when a produce right after a commit gets
        // CONCURRENT_TRANSACTIONS, the pipelined batches behind it were rejected with OUT_OF_ORDER_SEQUENCE in a
        // retry loop. One request in flight avoided it in our broker test; token batches are few and large, so
        // the throughput cost is small.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxMessageBytes);
        // Frames are heavy: a small poll keeps one poll's work well inside max.poll.interval.ms.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 32);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return p;
    }

    public static Properties streamsProperties(String bootstrapServers, String applicationId) {
        return streamsProperties(bootstrapServers, applicationId, TopicSettings.DEFAULT_MAX_MESSAGE_BYTES);
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The per-stage counters of this instance (also in {@link KafkaStreams#metrics()}). */
    public TokenizerMetrics metrics() {
        return metrics;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /**
     * Stops processing and leaves the consumer group, so another instance (or this one restarted) takes the
     * streams over at once instead of after the session timeout.
     */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
