package dev.sightline.bench.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's streaming read bandwidth: threads sum disjoint slices of an off-heap buffer far larger than the
 * last-level cache with the Vector API (four accumulators, so the adds never limit the read rate), the same access
 * pattern a decode step's matrix-vector products have. This is the roofline decode speed is judged against.
 *
 * <p>One instance keeps its buffer and threads, so passes can be interleaved with the runs they are compared to.
 */
final class MemoryBandwidth implements AutoCloseable {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf;
    private final ExecutorService pool;
    private final long bytes;

    MemoryBandwidth(long bytes, int maxThreads) {
        this.bytes = bytes;
        this.buf = arena.allocate(bytes, 64);
        for (long i = 0; i < bytes; i += 4096) {
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) i); // touch every page so the reads hit memory, not faults
        }
        this.pool = Executors.newFixedThreadPool(maxThreads);
    }

    /** Bytes per second of one full read of the buffer split over {@code threads} threads. */
    double readOnce(int threads) throws Exception {
        return read(threads, 1);
    }

    /**
     * Bytes per second of reading about {@code total} bytes (whole passes over the buffer, at least one) split over
     * {@code threads} threads: a read as long as the run it is compared with, so both average over the same stretch
     * of other processes' load.
     */
    double readBytes(int threads, long total) throws Exception {
        return read(threads, (int) Math.max(1, Math.round((double) total / bytes)));
    }

    private double read(int threads, int passes) throws Exception {
        long start = System.nanoTime();
        List<Future<Float>> parts = new ArrayList<>();
        long slice = bytes / threads / 64 * 64;
        for (int t = 0; t < threads; t++) {
            long from = t * slice;
            parts.add(pool.submit(() -> {
                float s = 0;
                for (int p = 0; p < passes; p++) {
                    s += sum(buf, from, from + slice);
                }
                return s;
            }));
        }
        float sink = 0;
        for (Future<Float> f : parts) {
            sink += f.get();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (sink == 42.4242f) {
            System.out.print("");
        }
        return (double) slice * threads * passes / secs;
    }

    /** Best bytes per second over {@code rounds} full reads of a {@code bytes}-sized buffer with {@code threads}. */
    static double measure(long bytes, int threads, int rounds) throws Exception {
        try (MemoryBandwidth bw = new MemoryBandwidth(bytes, threads)) {
            double best = 0;
            for (int r = 0; r < rounds; r++) {
                best = Math.max(best, bw.readOnce(threads));
            }
            return best;
        }
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }

    private static float sum(MemorySegment s, long from, long to) {
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
        long step = FS.vectorByteSize();
        long i = from;
        for (; i + 4 * step <= to; i += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(FS, s, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(FS, s, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(FS, s, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(FS, s, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
