package dev.sightline.protocol;

/**
 * A question about one stream (queries topic, JSON, keyed by stream id). Written by any Kafka client, e.g.
 * <pre>
 * {"schema_version":1,"stream_id":"cam-1","query_id":"q-42","text":"What colour is the moving square?",
 *  "max_tokens":64,"sampling":{"temperature":0.0}}
 * </pre>
 * {@code schema_version} may be left out (means 1). The text may be empty here: whether a question is
 * answerable is the runtime's call, and it replies with an error {@link Answer} rather than dropping it.
 *
 * @param schemaVersion   {@value #SCHEMA_VERSION}
 * @param streamId        the stream asked about
 * @param queryId         the asker's id for the question, echoed in the answer
 * @param text            the question
 * @param maxTokens       answer length limit, null for the runtime's default
 * @param sampling        decoding settings, null for greedy
 * @param timestampMillis when it was asked (epoch ms), 0 if unknown
 */
public record Query(Integer schemaVersion, String streamId, String queryId, String text, Integer maxTokens,
                    Sampling sampling, long timestampMillis) {
    public static final int SCHEMA_VERSION = 1;

    public Query {
        schemaVersion = schemaVersion == null ? SCHEMA_VERSION : schemaVersion;
        JsonSerde.requireVersion(schemaVersion, SCHEMA_VERSION);
        VideoFrame.requireStreamId(streamId);
        if (queryId == null || queryId.isBlank()) {
            throw new IllegalArgumentException("query id must be non-blank");
        }
        text = text == null ? "" : text;
    }

    public Query(String streamId, String queryId, String text, Integer maxTokens, Sampling sampling,
                 long timestampMillis) {
        this(SCHEMA_VERSION, streamId, queryId, text, maxTokens, sampling, timestampMillis);
    }

    /**
     * Decoding settings; every field optional (null = the runtime's default).
     *
     * @param temperature 0 or null for greedy
     * @param topP        nucleus sampling mass
     * @param topK        keep the k most likely tokens
     * @param seed        random seed for reproducible sampling
     */
    public record Sampling(Double temperature, Double topP, Integer topK, Long seed) {
    }
}
