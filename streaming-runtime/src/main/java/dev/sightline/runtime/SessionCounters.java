package dev.sightline.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * A session's running counters and standing-question clocks: kept with its memory checkpoint so that a restored
 * session continues counting (and cooling down) where it left off. Mutable, guarded by the session's lock.
 */
final class SessionCounters {
    long frames;
    long batches;
    long tokensIn;
    long sourceTokens;
    long dropped;
    long gaps;
    long questions;
    long prefillNanos;
    long firstPtsMicros = -1;
    long lastPtsMicros = -1;
    /** Standing question id -> stream time of its last check. */
    Map<String, Long> lastCheckMicros = new HashMap<>();
    /** Standing question id -> stream time of its last incident. */
    Map<String, Long> lastIncidentMicros = new HashMap<>();
}
