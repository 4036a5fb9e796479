package dev.sightline.kv;

/** A snapshot could not be read: wrong magic, unsupported version, bad checksum, or values out of range. */
public final class KvSnapshotException extends RuntimeException {

    public KvSnapshotException(String message) {
        super("corrupted or incompatible KV snapshot: " + message);
    }

    public KvSnapshotException(String message, Throwable cause) {
        super("corrupted or incompatible KV snapshot: " + message, cause);
    }
}
