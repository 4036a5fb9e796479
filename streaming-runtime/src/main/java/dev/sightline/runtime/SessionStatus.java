package dev.sightline.runtime;

/**
 * A session's figures at one moment, for {@code GET /v1/streams} and the metrics: published by the session's own
 * thread after each change, read by anyone.
 *
 * @param streamId         the stream
 * @param policy           kv-memory policy
 * @param tokensKept       distinct tokens in the memory (held by at least one KV head: heads keep different tokens
 *                         after compression, so bytes, not this count, are what the budget bounds)
 * @param bytesKept        bytes the memory uses (pages and metadata)
 * @param budgetBytes      the session's budget
 * @param peakBytes        the most it ever used
 * @param fromPtsMicros    stream time of the oldest kept token (-1 if none)
 * @param toPtsMicros      stream time of the newest kept token (-1 if none)
 * @param compressions     compression passes so far
 * @param compressionNanos time spent compressing
 * @param frames           video batches prefilled
 * @param batches          batches prefilled (video and audio)
 * @param tokensIn         tokens prefilled
 * @param sourceTokens     tokens the towers produced before reduction upstream
 * @param droppedBatches   batches skipped by the backpressure policy or refused
 * @param gaps             runs of skipped batches
 * @param questions        questions answered
 * @param lastPtsMicros    stream time of the newest batch
 * @param prefillNanos     time spent prefilling batches (compression at the watermark included)
 */
public record SessionStatus(String streamId, String policy, long tokensKept, long bytesKept, long budgetBytes,
                            long peakBytes, long fromPtsMicros, long toPtsMicros, long compressions,
                            long compressionNanos, long frames, long batches, long tokensIn, long sourceTokens,
                            long droppedBatches, long gaps, long questions, long lastPtsMicros,
                            long prefillNanos) {
}
