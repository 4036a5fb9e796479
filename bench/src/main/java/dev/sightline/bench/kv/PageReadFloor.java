package dev.sightline.bench.kv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * What the memory itself allows a compression pass: the time to read every page of a memory the size of
 * {@link KvPassVsPrefillBenchmark}'s (|M| = 1536 tokens x 90 heads x 256 B of F16 key and value = 35 MB, in 16 KiB
 * pages scattered over a larger slab, as a pool hands them out), and to rewrite two thirds of every page in place (what
 * compacting after a scattered eviction must do), on one thread and on two. A pass that must look at every key
 * (InfiniPot-V) or move every token after its first hole (KNorm, SnapKV, StreamMem) cannot be faster than these.
 *
 * <p>Usage: {@code PageReadFloor [rounds=15]}; prints the best and the median round of each.
 */
public final class PageReadFloor {

    private static final int PAGE = 16 * 1024;
    private static final long SLAB = 256L << 20;
    private static final int PAGES = 90 * 1536 * 256 / PAGE;   // 2160 pages = 35 MB

    private PageReadFloor() {
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        MemorySegment slab = Arena.global().allocate(SLAB, 4096);
        for (long at = 0; at < SLAB; at += 8) {
            slab.set(ValueLayout.JAVA_LONG, at, at);
        }
        // the memory's pages: a random choice of the slab's pages, in random order
        int[] all = new int[(int) (SLAB / PAGE)];
        Arrays.setAll(all, i -> i);
        Random random = new Random(1);
        for (int i = all.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] pages = Arrays.copyOf(all, PAGES);
        for (int threads = 1; threads <= 2; threads++) {
            for (boolean write : new boolean[] {false, true}) {
                double[] ms = new double[rounds];
                for (int r = -3; r < rounds; r++) {
                    evictCaches(slab);
                    double t = run(slab, pages, threads, write);
                    if (r >= 0) {
                        ms[r] = t;
                    }
                }
                Arrays.sort(ms);
                double mb = PAGES * (double) PAGE / 1e6;
                System.out.printf("%d thread%s, %s: best %.2f ms, median %.2f ms (%.1f GB/s of pages at the median)%n",
                        threads, threads == 1 ? "" : "s",
                        write ? "rewrite 2/3 of every page in place" : "read every page once",
                        ms[0], ms[rounds / 2], mb / ms[rounds / 2]);
            }
        }
    }

    /** One sweep over the memory's pages on {@code threads} threads (pages dealt round robin); milliseconds. */
    private static double run(MemorySegment slab, int[] pages, int threads, boolean write)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] sums = new long[threads];
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread thread = new Thread(() -> {
                short[] buffer = new short[PAGE / 2];
                long sum = 0;
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int p = worker; p < pages.length; p += threads) {
                    long at = (long) pages[p] * PAGE;
                    if (write) {
                        // a compaction that keeps two tokens of three moves the kept ones down: bytes of the page's
                        // last two thirds copied over its first two thirds
                        MemorySegment.copy(slab, at + PAGE / 3, slab, at, 2L * PAGE / 3);
                    } else {
                        MemorySegment.copy(slab, ValueLayout.JAVA_SHORT, at, buffer, 0, PAGE / 2);
                    }
                    sum += buffer[p % buffer.length];
                }
                sums[worker] = sum;
                done.countDown();
            });
            thread.start();
        }
        long start = System.nanoTime();
        go.countDown();
        done.await();
        return (System.nanoTime() - start) / 1e6;
    }

    /** Walks 200 MB of the slab outside the memory's working set, so the sweep's pages start out of cache. */
    private static void evictCaches(MemorySegment slab) {
        long sum = 0;
        for (long at = 0; at < SLAB; at += 64) {
            sum += slab.get(ValueLayout.JAVA_BYTE, at);
        }
        sink = sum;   // kept, so the walk is not optimised away
    }

    private static volatile long sink;
}
