package dev.sightline.ingest;

import dev.sightline.protocol.StreamEvent;

/**
 * Callbacks from {@link IngestService}, e.g. for a progress display. Called from ingest's own threads: return
 * quickly and do not block. Every method has an empty default.
 */
public interface IngestListener {
    IngestListener NONE = new IngestListener() {
    };

    /** A stream changed state, or reported a gap; the same event is sent to the events topic. */
    default void onEvent(StreamEvent event) {
    }

    /** Kafka acknowledged a frame or audio chunk of this stream. */
    default void onProgress(StreamStats stats) {
    }

    /** Something of this stream could not be sent (too large, Kafka failure); also on the errors topic. */
    default void onError(String streamId, String message) {
    }
}
