package dev.sightline.model;

/**
 * How many threads the kernels use: one count for decode's matrix-vector products and one for everything else
 * (prefill's matrix products, the towers). Defaults come from {@code -Dsightline.decodeThreads} and
 * {@code -Dsightline.threads}; both can be changed at run time.
 *
 * <p>Both default to every core. Decode's products run on {@link DecodeTeam}, whose helpers spin between products,
 * so splitting even a 0.2 MB product costs about a microsecond: on the 2-core benchmark VM two decode threads now
 * beat one clearly (BF16, SmolLM2-135M shapes: about 110 against 78 tok/s; see docs/benchmarks.md, {@code ## model}).
 */
public final class ComputeThreads {

    private static volatile int threads = Math.max(1, Integer.getInteger("sightline.threads",
            Runtime.getRuntime().availableProcessors()));
    private static volatile int decodeThreads = Math.max(1, Integer.getInteger("sightline.decodeThreads",
            Runtime.getRuntime().availableProcessors()));

    private static volatile boolean decodePrefetch = !"false".equals(System.getProperty("sightline.decodePrefetch"));

    private ComputeThreads() {
    }

    /**
     * Whether decode, with more than one thread, has a helper read the next weights into the cache while the caller
     * runs attention ({@code -Dsightline.decodePrefetch}, default true); off only to measure what it brings.
     */
    public static boolean decodePrefetch() {
        return decodePrefetch;
    }

    public static void setDecodePrefetch(boolean on) {
        decodePrefetch = on;
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
