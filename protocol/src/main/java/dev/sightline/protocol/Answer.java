package dev.sightline.protocol;

import java.util.List;

/**
 * The reply to a {@link Query} (answers topic, JSON, keyed by stream id). A failed question still gets an
 * Answer, with {@code error} set and {@code text} empty, so an asker never waits forever.
 *
 * @param schemaVersion   {@value #SCHEMA_VERSION}
 * @param streamId        the stream asked about
 * @param queryId         the query's id
 * @param text            the answer text ("" on error)
 * @param modelId         which model answered
 * @param policy          the KV-memory compression policy in force
 * @param memory          what the memory held when answering (null on an error before the session was found)
 * @param evidence        the frames whose tokens drew the most attention, most first (never null)
 * @param latency         where the time went (null if not measured)
 * @param error           null on success, else what went wrong
 * @param timestampMillis when the answer was produced (epoch ms)
 */
public record Answer(int schemaVersion, String streamId, String queryId, String text, String modelId,
                     String policy, Memory memory, List<Evidence> evidence, Latency latency, String error,
                     long timestampMillis) {
    public static final int SCHEMA_VERSION = 1;

    public Answer {
        JsonSerde.requireVersion(schemaVersion, SCHEMA_VERSION);
        VideoFrame.requireStreamId(streamId);
        if (queryId == null || queryId.isBlank()) {
            throw new IllegalArgumentException("query id must be non-blank");
        }
        text = text == null ? "" : text;
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }

    /** An error reply to a query. */
    public static Answer error(String streamId, String queryId, String error, long timestampMillis) {
        return new Answer(SCHEMA_VERSION, streamId, queryId, "", null, null, null, List.of(), null, error,
                timestampMillis);
    }

    public boolean failed() {
        return error != null;
    }

    /**
     * The memory's state when answering.
     *
     * @param tokensKept      tokens in the KV memory
     * @param bytesKept       bytes those tokens take
     * @param budgetBytes     the fixed budget
     * @param fromPtsMicros   stream time the oldest kept token came from
     * @param toPtsMicros     stream time the newest kept token came from
     */
    public record Memory(long tokensKept, long bytesKept, long budgetBytes, long fromPtsMicros, long toPtsMicros) {
    }

    /**
     * A frame that drew attention while answering.
     *
     * @param frameSequence the {@link VideoFrame#sequence()} it came from
     * @param ptsMicros     its presentation time
     * @param weight        its share of the attention (0..1)
     */
    public record Evidence(long frameSequence, long ptsMicros, double weight) {
    }

    /**
     * Latencies in milliseconds.
     *
     * @param queueMillis     from the query's arrival until work on it began
     * @param prefillMillis   reading the question into the model
     * @param decodeMillis    generating the answer
     * @param endToEndMillis  from the query's timestamp to the answer's
     */
    public record Latency(double queueMillis, double prefillMillis, double decodeMillis, double endToEndMillis) {
    }
}
