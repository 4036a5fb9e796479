package dev.sightline.ingest;

import dev.sightline.protocol.StreamState;

/**
 * A snapshot of one stream's counters.
 *
 * @param streamId      the stream
 * @param state         its current state
 * @param framesSent    frames acknowledged by Kafka
 * @param chunksSent    audio chunks acknowledged by Kafka
 * @param bytesSent     bytes of frames and chunks acknowledged
 * @param framesDropped sampled frames not sent: dropped because the producer fell behind (live sources), or
 *                      rejected as over the size limit
 * @param chunksDropped audio chunks dropped because the producer fell behind (live sources)
 * @param reconnects    reconnect attempts
 * @param gaps          runs of dropped frames plus outages of the source
 * @param sendFailures  records Kafka refused or could not deliver (after the producer's own retries)
 * @param lastPtsMicros presentation time of the last frame sampled, -1 if none
 * @param lastError     the last error message, or null
 */
public record StreamStats(String streamId, StreamState state, long framesSent, long chunksSent, long bytesSent,
                          long framesDropped, long chunksDropped, long reconnects, long gaps, long sendFailures,
                          long lastPtsMicros, String lastError) {
}
