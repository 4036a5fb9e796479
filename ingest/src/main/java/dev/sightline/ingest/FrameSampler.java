package dev.sightline.ingest;

/**
 * Picks frames by presentation time: the first frame, then the first frame at or after each multiple of the
 * sampling interval after it. Frame rate and timing jitter of the source do not matter, only its timestamps.
 */
final class FrameSampler {
    private final long intervalMicros;
    private long next = Long.MIN_VALUE;

    FrameSampler(double framesPerSecond) {
        this.intervalMicros = Math.max(1, Math.round(1_000_000 / framesPerSecond));
    }

    /** Whether the frame at {@code ptsMicros} is taken. */
    boolean take(long ptsMicros) {
        if (next == Long.MIN_VALUE) {
            next = ptsMicros + intervalMicros;
            return true;
        }
        if (ptsMicros < next) {
            return false;
        }
        // skip whole intervals at once after a jump in time, keeping the grid
        next += ((ptsMicros - next) / intervalMicros + 1) * intervalMicros;
        return true;
    }

    /** Whether a frame at {@code ptsMicros} would be taken (without taking it). */
    boolean wouldTake(long ptsMicros) {
        return next == Long.MIN_VALUE || ptsMicros >= next;
    }

    /** Starts over, e.g. on a new connection with a new timeline. */
    void reset() {
        next = Long.MIN_VALUE;
    }
}
