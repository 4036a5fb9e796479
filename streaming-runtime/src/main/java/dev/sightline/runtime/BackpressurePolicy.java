package dev.sightline.runtime;

/**
 * What a session does with token batches when inference falls behind the stream, i.e. when a batch is older (wall
 * clock now minus its Kafka timestamp) than {@link RuntimeConfig#maxLag()}. There is no queue inside the runtime:
 * pending batches wait in Kafka (bounded by the topic's retention), and this policy decides which of them to skip to
 * catch up. Every skipped batch is counted, and each run of skipped batches is reported as a gap
 * ({@code StreamEvent} on the events topic, and the {@code sightline_runtime_batches_dropped_total} metric).
 */
public enum BackpressurePolicy {
    /** Process every batch however late; lag grows and is visible in the metrics. For replays and evaluation. */
    NONE,
    /** Skip batches older than the lag limit: the oldest pending work goes first, the memory stays current. */
    DROP_OLDEST,
    /** While behind, keep only every {@link RuntimeConfig#frameStride()}-th video batch; audio is always kept. */
    LOWER_FRAME_RATE
}
