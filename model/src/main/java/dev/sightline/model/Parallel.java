package dev.sightline.model;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits index ranges over the machine's cores: the calling thread works too, with helper threads taking chunks
 * from a shared counter. Keeping the caller busy (rather than parking it while a pool works) saves a thread wake-up
 * per product, which in decode is a large share of a small matrix-vector product. How many threads take part is
 * {@link ComputeThreads}' setting.
 */
final class Parallel {

    interface RangeBody {
        void run(int from, int to);
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final ForkJoinPool HELPERS = CORES > 1 ? new ForkJoinPool(CORES - 1) : null;

    private Parallel() {
    }

    /** Runs {@code body} over [0, n) in contiguous chunks of at least {@code grain} indices on the prefill threads. */
    static void range(int n, int grain, RangeBody body) {
        range(n, grain, ComputeThreads.threads(), body);
    }

    /** As {@link #range(int, int, RangeBody)} with {@code threads} threads (the caller included). */
    static void range(int n, int grain, int threads, RangeBody body) {
        // A few chunks per thread: large enough that each is a long sequential read, enough to even out a thread
        // that another process's work delays.
        int chunks = Math.max(1, Math.min(threads * 4, n / Math.max(1, grain)));
        if (chunks == 1 || threads <= 1 || HELPERS == null || ForkJoinTask.getPool() == HELPERS) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            }
        };
        int helpers = Math.min(Math.min(threads, CORES) - 1, chunks - 1);
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int i = 0; i < helpers; i++) {
            tasks[i] = HELPERS.submit(work);
        }
        work.run();
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }
}
