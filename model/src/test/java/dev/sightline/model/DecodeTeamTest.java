package dev.sightline.model;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decode team's hand-off: every index exactly once, failures reach the caller, concurrent callers still work. */
class DecodeTeamTest {

    private final DecodeTeam team = DecodeTeam.shared();
    // Each row is summed by the same kernel on whichever thread; only reduceLanes' order may differ between JIT tiers.
    private static final org.assertj.core.data.Offset<Float> SUMMATION_ORDER = org.assertj.core.api.Assertions.within(1e-3f);

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[]{1, 2, 7, 64, 1000}) {
            for (int grain : new int[]{1, 3, 8, 2000}) {
                for (int threads : new int[]{1, 2, 4}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    team.range(n, grain, threads, (a, b) -> {
                        for (int i = a; i < b; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertThat(seen.get(i)).as("n=%d grain=%d threads=%d index %d", n, grain, threads, i)
                                .isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void theCallerFinishesASlowHelpersPart() {
        // The helper owns the second half; when it is slow, the caller takes what is left of that half once its own
        // is done, so a product never waits for a whole half on one delayed thread.
        int n = 400;
        Thread caller = Thread.currentThread();
        AtomicIntegerArray byCaller = new AtomicIntegerArray(n);
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        team.range(n, 1, 2, (a, b) -> {
            if (Thread.currentThread() != caller) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (int i = a; i < b; i++) {
                seen.incrementAndGet(i);
                if (Thread.currentThread() == caller) {
                    byCaller.incrementAndGet(i);
                }
            }
        });
        int callerInSecondHalf = 0;
        for (int i = 0; i < n; i++) {
            assertThat(seen.get(i)).as("index %d", i).isEqualTo(1);
            if (i >= n / 2) {
                callerInSecondHalf += byCaller.get(i);
            }
        }
        assertThat(callerInSecondHalf).isPositive();
    }

    @Test
    void aFailingChunkReachesTheCallerAndTheTeamStaysUsable() {
        assertThatThrownBy(() -> team.range(100, 8, 2, (a, b) -> {
            if (a <= 60 && 60 < b) {
                throw new IllegalStateException("chunk with 60 failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("chunk with 60 failed");
        AtomicIntegerArray seen = new AtomicIntegerArray(1);
        team.range(100, 8, 2, (a, b) -> seen.addAndGet(0, b - a));
        assertThat(seen.get(0)).isEqualTo(100);
    }

    @Test
    void aPrefetchCanBeStoppedAtAnyPointAndReleasesTheTeam() throws Exception {
        // shared weights (as Model maps them) and a confined segment the helper may not read: neither may fail decode
        try (Arena shared = Arena.ofShared(); Arena confined = Arena.ofConfined()) {
            MemorySegment[] segments = {confined.allocate(1L << 20, 64), shared.allocate(64L << 20, 64)};
            for (long waitMicros : new long[]{0, 200, 5_000}) {
                DecodeTeam.Prefetch p = team.prefetch(segments);
                Thread.sleep(waitMicros / 1000, (int) (waitMicros % 1000) * 1000);
                if (p != null) {
                    p.stop();
                }
                AtomicIntegerArray seen = new AtomicIntegerArray(1);
                team.range(10, 4, 2, (a, b) -> seen.addAndGet(0, b - a));
                assertThat(seen.get(0)).isEqualTo(10);
            }
        }
    }

    @Test
    void splitProductsEqualOneThreadsAlsoWithConcurrentCallers() throws Exception {
        int rows = 300;
        int cols = 512; // 300 KB of BF16 weights: above the size decode splits over threads
        Random rnd = new Random(7);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate((long) rows * cols * 2, 64);
            for (int i = 0; i < w.length; i++) {
                seg.setAtIndex(Tensor.I16, i, (short) SafetensorsWriter.toBf16(w[i]));
            }
            Matrix m = new Bf16Matrix(rows, cols, seg);
            assertThat(m.weightBytes()).isGreaterThan(Matrix.MIN_PARALLEL_BYTES);
            int before = ComputeThreads.decodeThreads();
            try {
                ComputeThreads.setDecodeThreads(1);
                float[] one = new float[rows];
                m.matvec(x, one);
                ComputeThreads.setDecodeThreads(2);
                float[] two = new float[rows];
                m.matvec(x, two);
                assertThat(two).containsExactly(one, SUMMATION_ORDER);
                float[] a = new float[rows];
                float[] b = new float[rows];
                Matrix.matmulAll(new Matrix[]{m, m}, x, 1, new float[][]{a, b});
                assertThat(a).containsExactly(one, SUMMATION_ORDER);
                assertThat(b).containsExactly(one, SUMMATION_ORDER);
                // Several threads decoding at once: whoever finds the team busy runs alone, with the same result.
                try (ExecutorService callers = Executors.newFixedThreadPool(3)) {
                    @SuppressWarnings("unchecked")
                    Future<float[]>[] results = new Future[3];
                    for (int c = 0; c < results.length; c++) {
                        results[c] = callers.submit(() -> {
                            float[] out = new float[rows];
                            for (int rep = 0; rep < 50; rep++) {
                                m.matvec(x, out);
                            }
                            return out;
                        });
                    }
                    for (Future<float[]> f : results) {
                        assertThat(f.get()).containsExactly(one, SUMMATION_ORDER);
                    }
                }
            } finally {
                ComputeThreads.setDecodeThreads(before);
            }
        }
    }
}
