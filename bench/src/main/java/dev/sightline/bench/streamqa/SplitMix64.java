package dev.sightline.bench.streamqa;

/**
 * The random generator StreamQA's Java and Python generators share (training/streamqa/streamqa.py has the twin):
 * SplitMix64, with {@code nextInt(n) = (next() >>> 33) mod n} so both languages draw the same integers.
 */
final class SplitMix64 {

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long next() {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    int nextInt(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + n);
        }
        return (int) ((next() >>> 33) % n);
    }
}
