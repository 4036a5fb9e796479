package dev.sightline.tokenizer;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.util.Map;

/**
 * Records one stage's tokens in and out both in the shared {@link TokenizerMetrics} and in Kafka Streams' metrics
 * ({@code stream-sightline-tokenizer-metrics}: {@code tokens-in-total} and {@code tokens-out-total} tagged with the
 * stage and the stream thread).
 */
final class StageMeter {
    static final String GROUP = "stream-sightline-tokenizer-metrics";

    private final TokenizerMetrics.StageCounter counter;
    private final Sensor in;
    private final Sensor out;

    StageMeter(ProcessorContext<?, ?> ctx, String stage, TokenizerMetrics.StageCounter counter) {
        this.counter = counter;
        this.in = sensor(ctx, stage, "tokens-in-total", "tokens into the stage");
        this.out = sensor(ctx, stage, "tokens-out-total", "tokens out of the stage");
    }

    static Sensor sensor(ProcessorContext<?, ?> ctx, String stage, String metric, String description) {
        String thread = Thread.currentThread().getName();
        Sensor s = ctx.metrics().addSensor("sightline-tokenizer." + stage + "." + metric + "." + thread,
                Sensor.RecordingLevel.INFO);
        s.add(new MetricName(metric, GROUP, description, Map.of("stage", stage, "thread-id", thread)),
                new CumulativeSum());
        return s;
    }

    void record(long tokensIn, long tokensOut) {
        counter.record(tokensIn, tokensOut);
        in.record(tokensIn);
        out.record(tokensOut);
    }
}
