package dev.sightline.protocol;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consumer-side decoding that never stops on bad bytes: a record that does not deserialize is reported to the
 * errors topic as an {@link ErrorRecord} (topic, partition, offset, key, reason) and skipped, and the caller
 * goes on with the next one. Consume with {@code ByteArrayDeserializer}s and decode through this.
 *
 * @param <T> the record type expected on the topic
 */
public final class BadRecordRouter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(BadRecordRouter.class);

    private final Deserializer<T> deserializer;
    private final Producer<String, ErrorRecord> errors;
    private final String errorsTopic;
    private final AtomicLong rejected = new AtomicLong();

    /**
     * @param deserializer decodes the value; throws (ideally {@link BadRecordException}) on bad bytes
     * @param errors       producer for the errors topic, values serialized with {@link SightlineSerdes#errorRecord()}
     * @param errorsTopic  the errors topic ({@link TopicNames#errors()})
     */
    public BadRecordRouter(Deserializer<T> deserializer, Producer<String, ErrorRecord> errors, String errorsTopic) {
        this.deserializer = deserializer;
        this.errors = errors;
        this.errorsTopic = errorsTopic;
    }

    /** The decoded value, or empty when it was bad (and has been sent to the errors topic). */
    public Optional<T> decode(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            T value = deserializer.deserialize(record.topic(), record.value());
            if (value == null) {
                throw new BadRecordException(record.topic(), "empty value (tombstone) on a data topic");
            }
            return Optional.of(value);
        } catch (RuntimeException e) {
            String reason = e instanceof BadRecordException ? e.getMessage() : e.toString();
            ErrorRecord error = new ErrorRecord(record.topic(), record.partition(), record.offset(), key, reason,
                    System.currentTimeMillis());
            rejected.incrementAndGet();
            LOG.warn("bad record at {}-{}@{} (stream {}): {}", record.topic(), record.partition(),
                    record.offset(), key, reason);
            errors.send(new ProducerRecord<>(errorsTopic, key, error), (md, ex) -> {
                if (ex != null) {
                    LOG.error("could not report bad record at {}-{}@{} to {}: {}", record.topic(),
                            record.partition(), record.offset(), errorsTopic, ex.toString());
                }
            });
            return Optional.empty();
        }
    }

    /** Records rejected so far. */
    public long rejected() {
        return rejected.get();
    }
}
