package dev.sightline.protocol;

/**
 * A record that could not be processed, as sent to the errors topic (JSON): where it was and why. The bad bytes
 * themselves stay where they are; {@code sourceTopic}/{@code partition}/{@code offset} point at them.
 *
 * @param schemaVersion   {@value #SCHEMA_VERSION}
 * @param sourceTopic     topic of the bad record (or the stage name when it never reached a topic)
 * @param partition       its partition, -1 if none
 * @param offset          its offset, -1 if none
 * @param streamId        the stream id when known (usually the record key), else null
 * @param reason          what was wrong, e.g. {@code bad VideoFrame record: bad magic 0x00FF12AB, expected 'SLVF'}
 * @param timestampMillis when it was detected (epoch ms)
 */
public record ErrorRecord(int schemaVersion, String sourceTopic, int partition, long offset, String streamId,
                          String reason, long timestampMillis) {
    public static final int SCHEMA_VERSION = 1;

    public ErrorRecord {
        JsonSerde.requireVersion(schemaVersion, SCHEMA_VERSION);
        if (sourceTopic == null || sourceTopic.isBlank()) {
            throw new IllegalArgumentException("source topic must be non-blank");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must be non-blank");
        }
    }

    public ErrorRecord(String sourceTopic, int partition, long offset, String streamId, String reason,
                       long timestampMillis) {
        this(SCHEMA_VERSION, sourceTopic, partition, offset, streamId, reason, timestampMillis);
    }
}
