package dev.sightline.kv;

/**
 * An allocation was refused because it would pass a session's byte budget or the pool's capacity. Nothing was
 * changed: the caller can compress and retry, or refuse the work (for example a new session).
 */
public final class KvBudgetExceededException extends RuntimeException {

    private final long requestedBytes;
    private final long availableBytes;

    public KvBudgetExceededException(String what, long requestedBytes, long availableBytes) {
        super(what + ": needs " + requestedBytes + " bytes, only " + availableBytes + " available");
        this.requestedBytes = requestedBytes;
        this.availableBytes = availableBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    public long availableBytes() {
        return availableBytes;
    }
}
