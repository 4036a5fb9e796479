package dev.sightline.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * An opt-in wall-clock split of decode steps (forward passes of one token) into their parts, for the decode
 * benchmark's breakdown: how much of a step is weight streaming (the matrix-vector products) and how much is the
 * rest (attention over the KV cache, norms, RoPE). Off by default; when off, each part costs one volatile read.
 * Counts are process-wide and meant for one decoding thread at a time.
 */
public final class DecodeProfile {

    /** The parts of a decode step, in the order a step runs them. */
    public enum Part { SETUP, NORMS, QKV, ROPE, KV_STORE, ATTEND, O_PROJ, GATE_UP, SILU, DOWN, RESIDUAL,
        LM_HEAD }

    private static volatile boolean enabled;
    private static final long[] NANOS = new long[Part.values().length];
    private static long steps;

    private DecodeProfile() {
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static synchronized void reset() {
        java.util.Arrays.fill(NANOS, 0);
        steps = 0;
    }

    /** Decode steps timed since the last {@link #reset()}. */
    public static synchronized long steps() {
        return steps;
    }

    /** Nanoseconds spent in each part since the last {@link #reset()}. */
    public static synchronized Map<Part, Long> nanos() {
        Map<Part, Long> m = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            m.put(p, NANOS[p.ordinal()]);
        }
        return m;
    }

    /** A start time for {@link #lap}, or 0 when profiling is off or the pass is not a decode step. */
    static long start(int tokens) {
        return enabled && tokens == 1 ? System.nanoTime() : 0;
    }

    /** Adds the time since {@code since} to {@code part} and returns now (or 0 when not timing). */
    static long lap(Part part, long since) {
        if (since == 0) {
            return 0;
        }
        long now = System.nanoTime();
        NANOS[part.ordinal()] += now - since;
        return now;
    }

    static void stepDone(long since) {
        if (since != 0) {
            steps++;
        }
    }
}
