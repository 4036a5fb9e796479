package dev.sightline.model;

/**
 * How many threads the kernels use: one count for decode's matrix-vector products and one for everything else
 * (prefill's matrix products, the towers). Defaults come from {@code -Dsightline.decodeThreads} and
 * {@code -Dsightline.threads}; both can be changed at run time.
 *
 * <p>Decode defaults to one thread: on the 2-core benchmark VM one thread already streams weights at the memory's
 * read rate, and a second only adds a helper wake-up per product (see docs/benchmarks.md, {@code ## model}).
 * Prefill is compute-bound and defaults to every core.
 */
public final class ComputeThreads {

    private static volatile int threads = Math.max(1, Integer.getInteger("sightline.threads",
            Runtime.getRuntime().availableProcessors()));
    private static volatile int decodeThreads = Math.max(1, Integer.getInteger("sightline.decodeThreads", 1));

    private ComputeThreads() {
    }

    /** Threads for prefill and the towers (the caller included). */
    public static int threads() {
        return threads;
    }

    /** Threads for decode's matrix-vector products (the caller included). */
    public static int decodeThreads() {
        return decodeThreads;
    }

    public static void setThreads(int n) {
        threads = check(n);
    }

    public static void setDecodeThreads(int n) {
        decodeThreads = check(n);
    }

    private static int check(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        return n;
    }
}
