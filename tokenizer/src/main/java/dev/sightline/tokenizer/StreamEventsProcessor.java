package dev.sightline.tokenizer;

import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Watches ingest's events topic for streams that ended or failed, and tells the stages so a finished stream's
 * waiting frames go out at once and its per-stream state is deleted (state stays proportional to live streams).
 * Other events are ignored; an undecodable event is reported like any bad record.
 */
final class StreamEventsProcessor implements Processor<String, byte[], String, Object> {

    private final TokenizerConfig config;
    private final TokenizerMetrics metrics;
    private final Deserializer<StreamEvent> events = SightlineSerdes.streamEvent().deserializer();
    private ProcessorContext<String, Object> ctx;

    StreamEventsProcessor(TokenizerConfig config, TokenizerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        ctx = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        StreamEvent event;
        try {
            event = events.deserialize(config.topics().events(), record.value());
        } catch (RuntimeException e) {
            ErrorReporter.report(ctx, metrics, config.topics().events(), record.key(), e.getMessage());
            return;
        }
        if (event != null && event.state().terminal()) {
            ctx.forward(new Record<String, Object>(event.streamId(),
                    new StreamEnded(event.streamId(), event.state().name()), record.timestamp()),
                    TokenizerTopology.FRAME_STAGES);
        }
    }
}
