package dev.sightline.protocol;

import java.util.Objects;

/**
 * A state change of one ingested stream, with its counters so far (events topic, JSON, keyed by stream id).
 * Ingest sends one for every state change, so the topic is the stream's audit log: how often it reconnected, how
 * many frames it sent and dropped and where the gaps were.
 *
 * @param schemaVersion   {@value #SCHEMA_VERSION}
 * @param streamId        the stream
 * @param state           the state entered
 * @param framesSent      video frames handed to Kafka so far
 * @param chunksSent      audio chunks handed to Kafka so far
 * @param framesDropped   sampled frames dropped because the producer fell behind (live sources only)
 * @param reconnects      reconnect attempts so far
 * @param gaps            gaps so far: runs of dropped frames, and outages between a lost source and a reconnect
 * @param lastPtsMicros   presentation time of the last frame sent, or -1 when none yet
 * @param message         human-readable detail: the error, the URL, the backoff, ... (may be empty, never null)
 * @param timestampMillis wall-clock time of the change (epoch ms)
 */
public record StreamEvent(int schemaVersion, String streamId, StreamState state, long framesSent, long chunksSent,
                          long framesDropped, long reconnects, long gaps, long lastPtsMicros, String message,
                          long timestampMillis) {
    public static final int SCHEMA_VERSION = 1;

    public StreamEvent {
        JsonSerde.requireVersion(schemaVersion, SCHEMA_VERSION);
        VideoFrame.requireStreamId(streamId);
        Objects.requireNonNull(state, "state");
        message = message == null ? "" : message;
    }

    public StreamEvent(String streamId, StreamState state, long framesSent, long chunksSent, long framesDropped,
                       long reconnects, long gaps, long lastPtsMicros, String message, long timestampMillis) {
        this(SCHEMA_VERSION, streamId, state, framesSent, chunksSent, framesDropped, reconnects, gaps,
                lastPtsMicros, message, timestampMillis);
    }
}
