package dev.sightline.model;

/**
 * How many threads the kernels use: one count for decode's matrix-vector products and one for everything else
 * (prefill's matrix products, the towers). Defaults come from {@code -Dsightline.decodeThreads} and
 * {@code -Dsightline.threads}; both can be changed at run time.
 *
 * <p>Both default to every core. On the shared 2-core benchmark VM (load average 8-13 from other processes) two
 * decode threads beat one in most interleaved rounds (best 63 against 42 tok/s, BF16): a second runnable thread
 * wins back CPU share the other processes take. On a calmer box one thread was 7-12% faster (a single thread nearly
 * saturates memory there and the split adds a helper wake-up per product): set {@code -Dsightline.decodeThreads=1}
 * or {@link #setDecodeThreads} there. See docs/benchmarks.md, {@code ## model}.
 */
public final class ComputeThreads {

    private static volatile int threads = Math.max(1, Integer.getInteger("sightline.threads",
            Runtime.getRuntime().availableProcessors()));
    private static volatile int decodeThreads = Math.max(1, Integer.getInteger("sightline.decodeThreads",
            Runtime.getRuntime().availableProcessors()));

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
