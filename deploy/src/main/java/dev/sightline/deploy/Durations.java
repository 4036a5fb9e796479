package dev.sightline.deploy;

import java.time.Duration;

/** Durations as people write them: {@code 1 s}, {@code 500 ms}, {@code 1.5 s}, {@code 2 min}. */
final class Durations {

    private Durations() {
    }

    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format("%.1f s", ms / 1000.0);
    }
}
