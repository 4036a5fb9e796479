package dev.sightline.ingest;

/**
 * The SplitMix64 generator (Steele, Lea, Flood 2014): tiny, fast and fully specified, so that a port to another
 * language (the Python training data generator) draws the same numbers from the same seed. java.util.Random
 * would tie the clip content to a JDK class.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1): the top 53 bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), bound > 0 (floor of a double draw; bias is irrelevant at these sizes). */
    int nextInt(int bound) {
        return (int) (nextDouble() * bound);
    }

    /** Uniform in [lo, hi). */
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }
}
