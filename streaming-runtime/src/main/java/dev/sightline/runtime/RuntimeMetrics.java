package dev.sightline.runtime;

import dev.sightline.kv.KvPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The runtime's Prometheus metrics (Micrometer). Per stream (tag {@code stream}): frames, tokens, dropped batches and
 * gaps (counters: Prometheus' {@code rate()} gives per second), tokens and bytes kept against the budget, compressions
 * and their time, lag behind the stream, answer latency histograms. For the pool: capacity, reserved and used bytes,
 * refused admissions. Kafka's own client metrics (consumer lag included) are bound by {@link StreamingRuntime}.
 */
final class RuntimeMetrics {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SessionRegistry sessions;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastRecordMillis = new ConcurrentHashMap<>();

    RuntimeMetrics(SessionRegistry sessions, KvPool pool) {
        this.sessions = sessions;
        Gauge.builder("sightline.runtime.pool.capacity", pool, KvPool::capacityBytes).baseUnit("bytes")
                .description("the shared KV pool").register(registry);
        Gauge.builder("sightline.runtime.pool.reserved", pool, KvPool::reservedBytes).baseUnit("bytes")
                .description("pool bytes reserved by session budgets").register(registry);
        Gauge.builder("sightline.runtime.pool.used", pool, KvPool::usedBytes).baseUnit("bytes")
                .description("pool bytes in pages held by sessions").register(registry);
        Gauge.builder("sightline.runtime.sessions", sessions, SessionRegistry::size)
                .description("sessions on this instance").register(registry);
    }

    /** Registers the per-stream gauges the first time a stream is seen. */
    void stream(String streamId) {
        if (!registered.add(streamId)) {
            return;
        }
        gauge(streamId, "sightline.runtime.memory.tokens", "tokens kept in the KV memory", null,
                SessionStatus::tokensKept);
        gauge(streamId, "sightline.runtime.memory.used", "bytes the KV memory uses", "bytes", SessionStatus::bytesKept);
        gauge(streamId, "sightline.runtime.memory.budget", "the session's KV budget", "bytes",
                SessionStatus::budgetBytes);
        gauge(streamId, "sightline.runtime.memory.peak", "most bytes the KV memory ever used", "bytes",
                SessionStatus::peakBytes);
        gauge(streamId, "sightline.runtime.memory.covered", "stream time the memory covers", "seconds",
                s -> s.toPtsMicros() < 0 ? 0 : (s.toPtsMicros() - s.fromPtsMicros()) / 1e6);
        FunctionCounter.builder("sightline.runtime.compressions", streamId, id -> value(id, SessionStatus::compressions))
                .tag("stream", streamId).description("KV compression passes").register(registry);
        FunctionCounter.builder("sightline.runtime.compression.time", streamId,
                        id -> value(id, s -> s.compressionNanos() / 1e9))
                .tag("stream", streamId).baseUnit("seconds").description("time spent compressing").register(registry);
        Gauge.builder("sightline.runtime.lag", lastRecordMillis, m -> {
                    Long t = m.get(streamId);
                    return t == null ? Double.NaN : Math.max(0, System.currentTimeMillis() - t) / 1000.0;
                }).tag("stream", streamId).baseUnit("seconds")
                .description("wall-clock age of the last processed batch").register(registry);
    }

    private void gauge(String streamId, String name, String description, String unit, ToDoubleFunction<SessionStatus> f) {
        Gauge.builder(name, streamId, id -> value(id, f)).tag("stream", streamId).baseUnit(unit)
                .description(description).register(registry);
    }

    private double value(String streamId, ToDoubleFunction<SessionStatus> f) {
        return sessions.find(streamId).map(s -> f.applyAsDouble(s.status())).orElse(Double.NaN);
    }

    void batch(String streamId, boolean video, int tokens, long recordTimestampMillis, long prefillNanos) {
        counter("sightline.runtime.batches", streamId).increment();
        if (video) {
            counter("sightline.runtime.frames", streamId).increment();
        }
        counter("sightline.runtime.tokens", streamId).increment(tokens);
        lastRecordMillis.put(streamId, recordTimestampMillis);
        Timer.builder("sightline.runtime.batch.prefill").tag("stream", streamId)
                .description("time to prefill one batch").publishPercentileHistogram()
                .register(registry).record(prefillNanos, TimeUnit.NANOSECONDS);
    }

    void dropped(String streamId, long recordTimestampMillis) {
        counter("sightline.runtime.batches.dropped", streamId).increment();
        lastRecordMillis.put(streamId, recordTimestampMillis);
    }

    void gap(String streamId) {
        counter("sightline.runtime.gaps", streamId).increment();
    }

    void refused(String streamId) {
        counter("sightline.runtime.admission.refused", streamId).increment();
    }

    void answer(String streamId, boolean failed, double queueMillis, double endToEndMillis) {
        counter(failed ? "sightline.runtime.answers.failed" : "sightline.runtime.answers", streamId).increment();
        if (!failed) {
            Timer.builder("sightline.runtime.answer.latency").tag("stream", streamId)
                    .description("query timestamp to answer, end to end").publishPercentileHistogram()
                    .register(registry).record(Duration.ofNanos((long) (endToEndMillis * 1e6)));
            Timer.builder("sightline.runtime.answer.queue").tag("stream", streamId)
                    .description("query arrival to start of work").publishPercentileHistogram()
                    .register(registry).record(Duration.ofNanos((long) (queueMillis * 1e6)));
        }
    }

    void incident(String streamId) {
        counter("sightline.runtime.incidents", streamId).increment();
    }

    void badRecord(String topic) {
        Counter.builder("sightline.runtime.bad.records").tag("topic", topic).register(registry).increment();
    }

    private Counter counter(String name, String streamId) {
        return Counter.builder(name).tag("stream", streamId).register(registry);
    }

    String scrape() {
        return registry.scrape();
    }
}
