package dev.sightline.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that split decode's matrix-vector products: the calling thread plus long-lived helper threads that
 * spin briefly between products instead of going back to a pool. A decode step is some 120 products of 0.2-4 MB
 * with little work between them; handing each one to a fork/join pool costs a helper wake-up (10-20 us, as much as
 * streaming 300-600 KB), and parking between products would cost the same again. Here a product is handed over by
 * publishing one small task object that a spinning helper sees within a few hundred nanoseconds, and the caller
 * waits for the last chunk by spinning too. Helpers park after {@code -Dsightline.decodeSpinMicros} (default 300)
 * without work, so an idle engine costs nothing.
 *
 * <p>The team also runs {@link #prefetch background reads}: while the caller does work that streams no weights
 * (attention over the KV cache, norms, RoPE), a helper pulls the next products' weights into the last-level cache,
 * so those bytes come from memory while the caller computes rather than after it.
 *
 * <p>One caller at a time: a thread that finds the team busy (another session decoding at the same moment) runs its
 * product alone, which is correct, only slower.
 */
final class DecodeTeam {

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final long SPIN_NANOS = Long.getLong("sightline.decodeSpinMicros", 300) * 1000;
    private static volatile DecodeTeam shared;

    private final Helper[] helpers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Task task;

    private DecodeTeam(int helperCount) {
        helpers = new Helper[helperCount];
        for (int i = 0; i < helperCount; i++) {
            helpers[i] = new Helper(i);
            helpers[i].thread.start();
        }
    }

    /** The process-wide team, started on first use with one helper per extra core. */
    static DecodeTeam shared() {
        DecodeTeam t = shared;
        if (t == null) {
            synchronized (DecodeTeam.class) {
                t = shared;
                if (t == null) {
                    t = new DecodeTeam(CORES - 1);
                    shared = t;
                }
            }
        }
        return t;
    }

    /**
     * Runs {@code body} over [0, n) on the caller and up to {@code threads - 1} helpers; returns when every index is
     * done, rethrowing the first failure. Each thread owns one contiguous part of the range and claims runs from its
     * front, a quarter of what is left and at least {@code grain} indices at a time, then helps with the others'
     * parts the same way; so each thread streams one contiguous stretch of weights and the threads finish within
     * about one {@code grain} of each other.
     */
    void range(int n, int grain, int threads, Parallel.RangeBody body) {
        grain = Math.max(1, grain);
        int workers = Math.min(Math.min(threads - 1, helpers.length), n / grain - 1);
        if (workers <= 0 || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Task t = new Task(n, grain, workers, body);
            publish(t);
            t.work(0);
            t.awaitChunks();
        } finally {
            busy.set(false);
        }
    }

    /**
     * Starts one helper reading {@code segments} (whole, one load per cache line) into the cache while the caller
     * goes on; the caller must {@link Prefetch#stop()} it before its next product. Returns null (nothing started)
     * when there is no idle helper or the team is busy with another caller.
     */
    Prefetch prefetch(MemorySegment[] segments) {
        if (!ComputeThreads.decodePrefetch() || helpers.length == 0 || !busy.compareAndSet(false, true)) {
            return null;
        }
        Task t = new Task(segments);
        publish(t);
        return new Prefetch(t);
    }

    /** A running background read; {@link #stop()} ends it where it is and releases the team. */
    final class Prefetch {
        private final Task task;

        private Prefetch(Task task) {
            this.task = task;
        }

        void stop() {
            task.cancelled = true;
            if (task.next.getAndIncrement() < task.chunks) { // the helper has not started it: nothing to wait for
                task.done.incrementAndGet();
            }
            try {
                task.awaitChunks();
            } finally {
                busy.set(false);
            }
        }
    }

    private void publish(Task t) {
        task = t;
        for (int i = 0; i < t.workers; i++) {
            Helper h = helpers[i];
            if (h.parked) {
                LockSupport.unpark(h.thread);
            }
        }
    }

    /**
     * One product (or one prefetch). A product's parts are claimed in runs from per-part counters, so a late helper
     * finds its part already taken by the others and a slow one is helped at the end.
     */
    private static final class Task {
        final int n;
        final int chunks;
        final int workers;
        final Parallel.RangeBody body;
        final MemorySegment[] prefetch;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile boolean cancelled;
        volatile Throwable failure;
        // guided: per part, the next unclaimed index (16 ints apart, one cache line each) and its end
        final int grain;
        final AtomicIntegerArray front;
        final int[] ends;

        /** A background read of {@code prefetch} by one helper. */
        Task(MemorySegment[] prefetch) {
            this.n = 1;
            this.chunks = 1;
            this.workers = 1;
            this.body = null;
            this.prefetch = prefetch;
            this.grain = 0;
            this.front = null;
            this.ends = null;
        }

        /** A product over [0, n) split into {@code workers + 1} parts. */
        Task(int n, int grain, int workers, Parallel.RangeBody body) {
            this.n = n;
            this.chunks = n; // done counts indices
            this.workers = workers;
            this.body = body;
            this.prefetch = null;
            this.grain = grain;
            int parts = workers + 1;
            this.front = new AtomicIntegerArray(parts * 16);
            this.ends = new int[parts];
            for (int p = 0; p < parts; p++) {
                front.set(p * 16, (int) ((long) n * p / parts));
                ends[p] = (int) ((long) n * (p + 1) / parts);
            }
        }

        /** The product's work for thread {@code self} (0 the caller): its own part first, then the others'. */
        void work(int self) {
            if (prefetch != null) {
                if (next.getAndIncrement() == 0) { // not if Prefetch.stop() got there first
                    try {
                        touch();
                    } catch (Throwable e) {
                        // a hint only: a segment closed under us costs nothing but the hint
                    } finally {
                        done.incrementAndGet();
                    }
                }
                return;
            }
            int parts = ends.length;
            int doneHere = 0;
            for (int k = 0; k < parts; k++) {
                int p = (self + k) % parts;
                int end = ends[p];
                int cur;
                while ((cur = front.get(p * 16)) < end) {
                    int to = Math.min(end, cur + Math.max(grain, (end - cur) / 4));
                    if (!front.compareAndSet(p * 16, cur, to)) {
                        continue;
                    }
                    try {
                        body.run(cur, to);
                    } catch (Throwable e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                    doneHere += to - cur;
                }
            }
            done.addAndGet(doneHere);
        }

        private void touch() {
            int sink = 0;
            for (MemorySegment s : prefetch) {
                if (!s.isAccessibleBy(Thread.currentThread())) {
                    continue; // a confined segment: only its owner may read it, and a prefetch is only a hint
                }
                long size = s.byteSize();
                for (long at = 0; at < size && !cancelled; at += 4096) {
                    long end = Math.min(size, at + 4096);
                    long b = at;
                    // four lines per pass into four sums: half the instructions per line of a one-line loop, so
                    // twice the lines in flight; it reads faster (decode 2-8 points closer to the roofline, A/B'd)
                    int s0 = 0;
                    int s1 = 0;
                    int s2 = 0;
                    int s3 = 0;
                    for (; b + 256 <= end; b += 256) {
                        s0 += s.get(ValueLayout.JAVA_BYTE, b);
                        s1 += s.get(ValueLayout.JAVA_BYTE, b + 64);
                        s2 += s.get(ValueLayout.JAVA_BYTE, b + 128);
                        s3 += s.get(ValueLayout.JAVA_BYTE, b + 192);
                    }
                    for (; b < end; b += 64) {
                        s0 += s.get(ValueLayout.JAVA_BYTE, b);
                    }
                    sink += s0 + s1 + s2 + s3;
                }
            }
            if (sink == 0x7fff_ffff) {
                Thread.onSpinWait(); // keeps the loads from being optimised away
            }
        }

        /** Spins until every chunk is done (yielding once it has waited a while, for a descheduled helper). */
        void awaitChunks() {
            long spins = 0;
            while (done.get() < chunks) {
                if (++spins < 2_000) { // some 50-100 us
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            Throwable e = failure;
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException("decode helper failed", e);
            }
        }
    }

    private final class Helper implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean parked;

        Helper(int index) {
            this.index = index;
            this.thread = Thread.ofPlatform().daemon().name("sightline-decode-" + (index + 1)).unstarted(this);
        }

        @Override
        public void run() {
            Task seen = null;
            long idleSince = System.nanoTime();
            int spins = 0;
            while (true) {
                Task t = task;
                if (t != seen) {
                    seen = t;
                    if (index < t.workers) {
                        t.work(index + 1);
                    }
                    idleSince = System.nanoTime();
                    spins = 0;
                    continue;
                }
                if ((++spins & 63) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                // Park, re-checking the task after announcing it: a caller either sees parked or we see its task.
                parked = true;
                if (task == seen) {
                    LockSupport.park(this);
                }
                parked = false;
                idleSince = System.nanoTime();
                spins = 0;
            }
        }
    }
}
