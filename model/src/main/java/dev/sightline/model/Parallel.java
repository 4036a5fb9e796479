package dev.sightline.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits index ranges over one shared pool sized to the machine's cores. The common pool is one thread short of the
 * cores (it assumes the caller works too), which on a 2-core box halves the speed of a matrix product.
 */
final class Parallel {

    interface RangeBody {
        void run(int from, int to);
    }

    static final int THREADS = Integer.getInteger("sightline.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS);

    private Parallel() {
    }

    /** Runs {@code body} over [0, n) in contiguous chunks of at least {@code grain} indices, in parallel. */
    static void range(int n, int grain, RangeBody body) {
        int chunks = Math.max(1, Math.min(THREADS * 4, n / Math.max(1, grain)));
        if (chunks == 1 || THREADS == 1) {
            body.run(0, n);
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            });
        }
        if (java.util.concurrent.ForkJoinTask.getPool() == POOL) {
            RecursiveAction.invokeAll(tasks);
        } else {
            POOL.invoke(new RecursiveAction() {
                @Override
                protected void compute() {
                    invokeAll(tasks);
                }
            });
        }
    }
}
