package dev.sightline.protocol;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes (or JSON) that do not form a valid Sightline record. The message names the record type and what was
 * wrong (bad magic, unsupported version, truncated field, impossible dimensions, ...), so a processor can put it
 * on the errors topic as it is and go on.
 *
 * <p>It extends Kafka's {@link SerializationException} so that Kafka clients treat it like any other
 * deserialization failure (a consumer reports it as a {@code RecordDeserializationException} with the offset).
 */
public class BadRecordException extends SerializationException {
    private final String recordType;
    private final String reason;

    public BadRecordException(String recordType, String reason) {
        this(recordType, reason, null);
    }

    public BadRecordException(String recordType, String reason, Throwable cause) {
        super("bad " + recordType + " record: " + reason, cause);
        this.recordType = recordType;
        this.reason = reason;
    }

    /** The record type that was expected, e.g. {@code VideoFrame}. */
    public String recordType() {
        return recordType;
    }

    /** What was wrong, without the record type prefix. */
    public String reason() {
        return reason;
    }
}
