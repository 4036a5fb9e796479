package dev.sightline.bench.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * {@code bench read-patterns}: how fast one thread reads a 256 MB matrix of BF16 rows from memory, by access pattern
 * and by what the loop does per 64-byte line. It isolates the two facts the decode kernel's shape rests on:
 * <ul>
 *   <li>{@code rows1}, {@code rows2}, {@code rows4}: load-only sweeps reading one row at a time, or two or four
 *       neighbouring rows in step (interleaved streams, as a kernel that shares its input loads across rows reads
 *       them);</li>
 *   <li>{@code kernel}: the engine's decode row (a shift and a mask per line, two FMAs against the input read from
 *       an array); {@code kernelNoX}: the same with the input held in two registers, so the only load per line is
 *       the weights'. The difference is what the input's two loads per line cost in loads in flight.</li>
 *   <li>{@code noConv}: one FMA per line on the loaded bits as they are (not a product: no widening), and
 *       {@code noFma}: the shift and the mask with adds instead of FMAs. With {@code kernel}, they show how the
 *       read rate falls as more work per line waits on each line's load (sixth session, Intel Xeon VM).</li>
 *   <li>{@code kernel2}, {@code kernel4}: the decode row for two or four neighbouring rows in step, sharing the
 *       input's loads; each row's sums are the same as {@code kernel}'s, bit for bit (checked in the last round,
 *       once every JIT tier is done).</li>
 * </ul>
 * Usage: {@code ReadPatterns [cols=576] [rounds=15]}; each pattern's median and best over the rounds after three
 * warm-up rounds, the patterns interleaved round by round in one JVM.
 */
public final class ReadPatterns {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int L = 16;
    private static final long BYTES = 256L << 20;
    private static final String[] PATTERNS =
            {"rows1", "rows2", "rows4", "kernel", "kernelNoX", "noConv", "noFma", "kernel2", "kernel4"};
    /** Where the rows-in-step patterns start in {@link #PATTERNS}: their sums are checked against kernel's. */
    private static final int IN_STEP = 7;

    private ReadPatterns() {
    }

    public static void main(String[] args) {
        int cols = args.length > 0 ? Integer.parseInt(args[0]) : 576;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        if (cols % (2 * L) != 0) {
            throw new IllegalArgumentException("cols must be a multiple of " + 2 * L + ", got " + cols);
        }
        MemorySegment w = Arena.global().allocate(BYTES, 64);
        Random random = new Random(1);
        for (long at = 0; at < BYTES; at += 2) { // BF16 of small normal values, as weights are
            w.set(ValueLayout.JAVA_SHORT_UNALIGNED, at,
                    (short) (Float.floatToRawIntBits((float) (random.nextGaussian() * 0.02)) >>> 16));
        }
        int rows = (int) (BYTES / (2L * cols));
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] out = new float[rows];
        float[] single = new float[rows];
        boolean[] sameSums = new boolean[PATTERNS.length];
        double[][] gbs = new double[PATTERNS.length][rounds];
        for (int r = -3; r < rounds; r++) {
            for (int p = 0; p < PATTERNS.length; p++) {
                long t0 = System.nanoTime();
                switch (p) {
                    case 0, 1, 2 -> out[0] = rowsInStep(w, cols, rows, 1 << p);
                    case 3 -> kernel(w, cols, rows, x, single);
                    case 4 -> kernelNoX(w, cols, rows, x, out);
                    case 5 -> noConv(w, cols, rows, x, out);
                    case 6 -> noFma(w, cols, rows, x, out);
                    default -> kernelInStep(w, cols, rows, x, out, p == IN_STEP ? 2 : 4);
                }
                long t1 = System.nanoTime();
                if (p >= IN_STEP && r == rounds - 1) {
                    int whole = rows / 4 * 4;
                    sameSums[p] = Arrays.equals(out, 0, whole, single, 0, whole);
                }
                if (r >= 0) {
                    gbs[p][r] = BYTES / ((t1 - t0) / 1e9) / 1e9;
                }
            }
        }
        System.out.printf("one thread, %d MB of BF16 rows of %d columns, %d rounds (sink %.1f)%n", BYTES >> 20, cols,
                rounds, out[1]);
        for (int p = 0; p < PATTERNS.length; p++) {
            double[] s = gbs[p].clone();
            Arrays.sort(s);
            String check = p < IN_STEP ? "" : sameSums[p] ? "  (sums equal kernel's)" : "  (sums DIFFER from kernel's)";
            System.out.printf("  %-10s median %5.1f GB/s, best %5.1f GB/s%s%n", PATTERNS[p], s[rounds / 2],
                    s[rounds - 1], check);
        }
    }

    /** Load-only: {@code k} neighbouring rows read in step, one line of each per pass. */
    private static float rowsInStep(MemorySegment w, int cols, int rows, int k) {
        int rowBytes = 2 * cols;
        IntVector a = IntVector.zero(IS);
        IntVector b = a;
        IntVector c = a;
        IntVector d = a;
        for (int r = 0; r + k <= rows; r += k) {
            long base = (long) r * rowBytes;
            for (int o = 0; o < rowBytes; o += 64) {
                a = a.add(IntVector.fromMemorySegment(IS, w, base + o, LE));
                if (k > 1) {
                    b = b.add(IntVector.fromMemorySegment(IS, w, base + rowBytes + o, LE));
                }
                if (k > 2) {
                    c = c.add(IntVector.fromMemorySegment(IS, w, base + 2L * rowBytes + o, LE));
                    d = d.add(IntVector.fromMemorySegment(IS, w, base + 3L * rowBytes + o, LE));
                }
            }
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }

    /** The engine's decode row, one row at a time (the input in its paired even/odd layout: see Bf16Matrix). */
    private static void kernel(MemorySegment w, int cols, int rows, float[] xp, float[] out) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols * 2;
            FloatVector even = FloatVector.zero(FS);
            FloatVector odd = even;
            for (int c = 0; c < cols; c += 2 * L) {
                IntVector pair = IntVector.fromMemorySegment(IS, w, base + c * 2L, LE);
                even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(FS, xp, c), even);
                odd = pair.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(FS, xp, c + L), odd);
            }
            out[r] = even.add(odd).reduceLanes(VectorOperators.ADD);
        }
    }

    /** One FMA per line on the weights' bits read as floats: not a product, the least work a line can wait for. */
    private static void noConv(MemorySegment w, int cols, int rows, float[] xp, float[] out) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols * 2;
            FloatVector acc = FloatVector.zero(FS);
            for (int c = 0; c < cols; c += 2 * L) {
                acc = FloatVector.fromMemorySegment(FS, w, base + c * 2L, LE)
                        .fma(FloatVector.fromArray(FS, xp, c), acc);
            }
            out[r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }

    /** The decode row's widening (a shift and a mask) with adds instead of FMAs: not a product. */
    private static void noFma(MemorySegment w, int cols, int rows, float[] xp, float[] out) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols * 2;
            FloatVector even = FloatVector.zero(FS);
            FloatVector odd = even;
            for (int c = 0; c < cols; c += 2 * L) {
                IntVector pair = IntVector.fromMemorySegment(IS, w, base + c * 2L, LE);
                even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().add(even);
                odd = pair.and(0xFFFF0000).reinterpretAsFloats().add(odd);
            }
            out[r] = even.add(odd).reduceLanes(VectorOperators.ADD);
        }
    }

    /**
     * The decode row for {@code k} (2 or 4) neighbouring rows in step: each line of the input is loaded once for
     * the k rows, and each row's two sums take the same FMAs in the same order as {@link #kernel}. (Sums in named
     * locals: in an array the JIT would box every vector.)
     */
    private static void kernelInStep(MemorySegment w, int cols, int rows, float[] xp, float[] out, int k) {
        long rb = cols * 2L;
        FloatVector z = FloatVector.zero(FS);
        for (int r = 0; r + k <= rows; r += k) {
            long base = (long) r * rb;
            FloatVector e0 = z, o0 = z, e1 = z, o1 = z, e2 = z, o2 = z, e3 = z, o3 = z;
            for (int c = 0; c < cols; c += 2 * L) {
                FloatVector xe = FloatVector.fromArray(FS, xp, c);
                FloatVector xo = FloatVector.fromArray(FS, xp, c + L);
                long at = base + c * 2L;
                IntVector p0 = IntVector.fromMemorySegment(IS, w, at, LE);
                IntVector p1 = IntVector.fromMemorySegment(IS, w, at + rb, LE);
                e0 = p0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e0);
                o0 = p0.and(0xFFFF0000).reinterpretAsFloats().fma(xo, o0);
                e1 = p1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e1);
                o1 = p1.and(0xFFFF0000).reinterpretAsFloats().fma(xo, o1);
                if (k == 4) {
                    IntVector p2 = IntVector.fromMemorySegment(IS, w, at + 2 * rb, LE);
                    IntVector p3 = IntVector.fromMemorySegment(IS, w, at + 3 * rb, LE);
                    e2 = p2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e2);
                    o2 = p2.and(0xFFFF0000).reinterpretAsFloats().fma(xo, o2);
                    e3 = p3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e3);
                    o3 = p3.and(0xFFFF0000).reinterpretAsFloats().fma(xo, o3);
                }
            }
            out[r] = e0.add(o0).reduceLanes(VectorOperators.ADD);
            out[r + 1] = e1.add(o1).reduceLanes(VectorOperators.ADD);
            if (k == 4) {
                out[r + 2] = e2.add(o2).reduceLanes(VectorOperators.ADD);
                out[r + 3] = e3.add(o3).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** The same arithmetic with the input's first 32 values in registers: not a product, a measure of the loads. */
    private static void kernelNoX(MemorySegment w, int cols, int rows, float[] xp, float[] out) {
        FloatVector xe = FloatVector.fromArray(FS, xp, 0);
        FloatVector xo = FloatVector.fromArray(FS, xp, L);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols * 2;
            FloatVector even = FloatVector.zero(FS);
            FloatVector odd = even;
            for (int c = 0; c < cols; c += 2 * L) {
                IntVector pair = IntVector.fromMemorySegment(IS, w, base + c * 2L, LE);
                even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, even);
                odd = pair.and(0xFFFF0000).reinterpretAsFloats().fma(xo, odd);
            }
            out[r] = even.add(odd).reduceLanes(VectorOperators.ADD);
        }
    }
}
