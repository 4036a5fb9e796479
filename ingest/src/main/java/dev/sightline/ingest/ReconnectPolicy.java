package dev.sightline.ingest;

import java.time.Duration;

/**
 * How a live source is retried after it is lost or cannot be opened: exponential backoff from {@code baseDelay},
 * doubling per consecutive failure up to {@code maxDelay}; {@code maxAttempts} consecutive failures end in
 * FAILED ({@value #FOREVER} = retry forever). A connection that delivered data resets the count.
 */
public record ReconnectPolicy(Duration baseDelay, Duration maxDelay, int maxAttempts) {
    public static final int FOREVER = -1;

    public ReconnectPolicy {
        if (baseDelay == null || baseDelay.isNegative()) {
            throw new IllegalArgumentException("reconnect base delay must be >= 0");
        }
        if (maxDelay == null || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("reconnect max delay must be >= base delay");
        }
        if (maxAttempts < FOREVER || maxAttempts == 0) {
            throw new IllegalArgumentException("reconnect attempts must be >= 1 or -1 (forever): " + maxAttempts);
        }
    }

    /** 5 s doubling to 60 s, forever. */
    public static ReconnectPolicy defaults() {
        return new ReconnectPolicy(Duration.ofSeconds(5), Duration.ofSeconds(60), FOREVER);
    }

    /** The wait before reconnect attempt {@code attempt} (1-based). */
    public Duration delayBefore(int attempt) {
        long base = baseDelay.toMillis();
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long delay = base << doublings;
        if (delay < 0 || (base != 0 && delay >> doublings != base)) {
            delay = Long.MAX_VALUE; // overflowed
        }
        return Duration.ofMillis(Math.min(delay, maxDelay.toMillis()));
    }

    /** Whether another attempt is allowed after {@code failures} consecutive failures. */
    public boolean allows(int failures) {
        return maxAttempts == FOREVER || failures < maxAttempts;
    }
}
