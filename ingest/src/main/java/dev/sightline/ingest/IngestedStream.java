package dev.sightline.ingest;

import dev.sightline.protocol.StreamState;

import java.time.Duration;

/** A stream that {@link IngestService} runs. */
public interface IngestedStream {
    String id();

    StreamSource source();

    StreamState state();

    StreamStats stats();

    /** Stops reading, sends what is pending, then ends the stream (ENDED). Returns at once. */
    void stop();

    /** Waits until the stream is ENDED or FAILED and all its records are acknowledged; true if it is. */
    boolean awaitTermination(Duration timeout) throws InterruptedException;
}
