package dev.sightline.protocol;

/** The life of one ingested stream, as reported by {@link StreamEvent}s. */
public enum StreamState {
    /** Opening the source (first time). */
    CONNECTING,
    /** Frames are flowing. */
    RUNNING,
    /** The source was lost (error, end of a live stream, or no data for the watchdog period); waiting to retry. */
    RECONNECTING,
    /** Gave up: a file that cannot be read, or reconnect attempts exhausted. Terminal. */
    FAILED,
    /** The source ended normally (end of file) or ingest was stopped. Terminal. */
    ENDED;

    public boolean terminal() {
        return this == FAILED || this == ENDED;
    }
}
