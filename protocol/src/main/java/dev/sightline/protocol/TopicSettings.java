package dev.sightline.protocol;

/**
 * How Sightline's topics are created, and the record size limit that producers and consumers share.
 *
 * @param partitions        partitions per topic (streams spread over them by key)
 * @param replicationFactor replicas per partition (1 for a single broker)
 * @param maxMessageBytes   the topic's {@code max.message.bytes}: the largest record batch it accepts
 */
public record TopicSettings(int partitions, short replicationFactor, int maxMessageBytes) {
    /** 8 MiB: a 1080p JPEG is well under 1 MiB, a raw 640x480 RGB frame under 1 MiB; room for token batches. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    /** Room left for the batch and record headers, key and Kafka's own framing around one value. */
    public static final int RECORD_OVERHEAD_BYTES = 16 * 1024;

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1: " + replicationFactor);
        }
        if (maxMessageBytes < 64 * 1024) {
            throw new IllegalArgumentException("max message bytes must be >= 65536: " + maxMessageBytes);
        }
    }

    /** One partition, one replica, 8 MiB: right for a single broker. */
    public static TopicSettings singleBroker() {
        return new TopicSettings(1, (short) 1, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * The largest serialized value a producer should send: the limit less framing. Producers check this before
     * sending so an oversized record is reported as such rather than failing inside the client.
     */
    public int maxValueBytes() {
        return maxMessageBytes - RECORD_OVERHEAD_BYTES;
    }
}
