package dev.sightline.tokenizer;

import dev.sightline.protocol.ErrorRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/** Sends an {@link ErrorRecord} for the record being processed to the errors sink, logs it and counts it. */
final class ErrorReporter {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

    private ErrorReporter() {
    }

    /** About the input record being processed: the error points at its topic, partition and offset. */
    static void report(ProcessorContext<String, Object> ctx, TokenizerMetrics metrics, String fallbackTopic,
                       String streamId, String reason) {
        report(ctx, metrics, fallbackTopic, streamId, reason, true);
    }

    /** About something missing rather than a bad record (e.g. a window's audio): no offset to point at. */
    static void reportMissing(ProcessorContext<String, Object> ctx, TokenizerMetrics metrics, String topic,
                              String streamId, String reason) {
        report(ctx, metrics, topic, streamId, reason, false);
    }

    private static void report(ProcessorContext<String, Object> ctx, TokenizerMetrics metrics, String fallbackTopic,
                               String streamId, String reason, boolean pointAtRecord) {
        String topic = fallbackTopic;
        int partition = -1;
        long offset = -1;
        Optional<RecordMetadata> md = pointAtRecord ? ctx.recordMetadata() : Optional.empty();
        if (md.isPresent() && md.get().topic() != null) {
            topic = md.get().topic();
            partition = md.get().partition();
            offset = md.get().offset();
        }
        if (pointAtRecord) {
            metrics.badRecords.increment();
        }
        LOG.warn("tokenizer: {} (stream {}, {}-{}@{})", reason, streamId, topic, partition, offset);
        long now = ctx.currentSystemTimeMs();
        ctx.forward(new Record<>(streamId, new ErrorRecord(topic, partition, offset, streamId, reason, now), now),
                TokenizerTopology.ERRORS_SINK);
    }
}
