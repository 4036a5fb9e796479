package dev.sightline.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code [rows][cols]} (PyTorch's Linear layout: one row per output) and the two products the engine
 * needs: {@link #matvec} for one token (decode, bound by how fast the weights stream from memory) and
 * {@link #matmul} for a block of tokens (prefill, where each weight tile is reused across several tokens).
 */
public abstract class Matrix {

    final int rows;
    final int cols;

    Matrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Bytes of weights one full product reads: what decode bandwidth is measured against. */
    public abstract long weightBytes();

    /** The memory those bytes live in, for {@link DecodeTeam#prefetch}. */
    abstract MemorySegment[] weightSegments();

    /** Computes {@code out[t][r] = sum_c W[r][c] * x[t][c]} for rows [r0, r1) and all {@code n} tokens. */
    abstract void multiplyRows(int r0, int r1, float[] x, int n, float[] out);

    /**
     * Below this many weight bytes a matrix-vector product runs on the calling thread alone. Handing a product to
     * {@link DecodeTeam}'s spinning helper costs about a microsecond, the time to stream some 30 KB, so only tiny
     * products stay on one thread. Set with {@code -Dsightline.minParallelBytes}.
     */
    static final long MIN_PARALLEL_BYTES = Long.getLong("sightline.minParallelBytes", 64L << 10);

    /**
     * The smallest run of weights a decode thread claims at once: small enough that the threads finish a product
     * within a microsecond of each other, large enough that claiming (one atomic update) costs little.
     */
    static final long DECODE_RUN_BYTES = Long.getLong("sightline.decodeRunBytes", 16L << 10);

    private static int rowsPerRun(long bytesPerRow) {
        return (int) Math.max(1, DECODE_RUN_BYTES / Math.max(1, bytesPerRow));
    }

    /**
     * The input of a matrix-vector product in the layout {@link #matvecRows} reads; made once per product, before
     * the rows are split over threads. By default the input as it is.
     */
    float[] prepareVector(float[] x) {
        return x;
    }

    /** {@code out[r] = W[r] . x} for rows [r0, r1), with {@code prepared} from {@link #prepareVector}. */
    void matvecRows(int r0, int r1, float[] prepared, float[] out) {
        multiplyRows(r0, r1, prepared, 1, out);
    }

    /** {@code out[r] = W[r] . x}. */
    public final void matvec(float[] x, float[] out) {
        check(x, 1, out);
        float[] xp = prepareVector(x);
        if (weightBytes() < MIN_PARALLEL_BYTES) {
            matvecRows(0, rows, xp, out);
            return;
        }
        int threads = ComputeThreads.decodeThreads();
        DecodeTeam.shared().range(rows, rowsPerRun(weightBytes() / rows), threads,
                (a, b) -> matvecRows(a, b, xp, out));
    }

    /** {@code out[t][r] = W[r] . x[t]} for {@code n} tokens laid out row-major. */
    public final void matmul(float[] x, int n, float[] out) {
        check(x, n, out);
        if (n == 1) {
            matvec(x, out);
            return;
        }
        int grain = Math.max(4, 4096 / Math.max(1, n));
        Parallel.range(rows, grain, (a, b) -> multiplyRows(a, b, x, n, out));
    }

    /**
     * Several products of the same input in one parallel pass ({@code outs[i] = ms[i] x}): one fork/join round
     * instead of one per matrix, which matters in decode where a round costs as much as a small product.
     */
    static void matmulAll(Matrix[] ms, float[] x, int n, float[][] outs) {
        int block = n == 1 ? 32 : 16;
        int[] firstBlock = new int[ms.length + 1];
        long bytes = 0;
        float[][] xs = new float[ms.length][];
        for (int i = 0; i < ms.length; i++) {
            ms[i].check(x, n, outs[i]);
            boolean sameLayout = i > 0 && ms[i].getClass() == ms[i - 1].getClass() && ms[i].cols == ms[i - 1].cols;
            xs[i] = n != 1 ? x : sameLayout ? xs[i - 1] : ms[i].prepareVector(x); // q, k and v share one
            firstBlock[i + 1] = firstBlock[i] + (ms[i].rows + block - 1) / block;
            bytes += ms[i].weightBytes();
        }
        if (n == 1 && bytes < MIN_PARALLEL_BYTES) {
            for (int i = 0; i < ms.length; i++) {
                ms[i].matvecRows(0, ms[i].rows, xs[i], outs[i]);
            }
            return;
        }
        Parallel.RangeBody body = (a, b) -> {
            int m = 0;
            for (int blk = a; blk < b; blk++) {
                while (blk >= firstBlock[m + 1]) {
                    m++;
                }
                int r0 = (blk - firstBlock[m]) * block;
                if (n == 1) {
                    ms[m].matvecRows(r0, Math.min(ms[m].rows, r0 + block), xs[m], outs[m]);
                } else {
                    ms[m].multiplyRows(r0, Math.min(ms[m].rows, r0 + block), x, n, outs[m]);
                }
            }
        };
        if (n == 1) {
            int threads = ComputeThreads.decodeThreads();
            DecodeTeam.shared().range(firstBlock[ms.length], rowsPerRun(bytes / firstBlock[ms.length]), threads,
                    body);
        } else {
            Parallel.range(firstBlock[ms.length], 1, ComputeThreads.threads(), body);
        }
    }

    private void check(float[] x, int n, float[] out) {
        if (x.length < (long) n * cols || out.length < (long) n * rows) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " cannot multiply " + n
                    + " tokens: input has " + x.length + " floats, output " + out.length);
        }
    }

    /** A matrix over a tensor's own bytes (F32 or BF16 read in place; F16 widened once to F32 in {@code arena}). */
    public static Matrix of(Tensor t, Arena arena) {
        if (t.rank() != 2) {
            throw new ModelFormatException("tensor '" + t.name() + "' should be a matrix but has rank " + t.rank());
        }
        int r = t.dim(0);
        int c = t.dim(1);
        return switch (t.dtype()) {
            case F32 -> new F32Matrix(r, c, t.data());
            case BF16 -> new Bf16Matrix(r, c, t.data());
            case F16 -> {
                MemorySegment wide = arena.allocate((long) r * c * 4, 64);
                for (long i = 0; i < (long) r * c; i++) {
                    wide.setAtIndex(Tensor.F32, i, t.get(i));
                }
                yield new F32Matrix(r, c, wide);
            }
        };
    }

    /**
     * The tensor quantized to Q8_0 (32-value blocks, one float scale each) in {@code arena}; needs a column count
     * that is a multiple of 32.
     */
    public static Matrix quantizedQ8(Tensor t, Arena arena) {
        Matrix m = of(t, arena);
        if (!Q8Matrix.fits(m.cols)) {
            throw new ModelFormatException("tensor '" + t.name() + "' has " + m.cols
                    + " columns, not a whole number of 32-value Q8_0 blocks");
        }
        return Q8Matrix.quantize(m, t, arena);
    }

    /** A heap matrix, for weights made in memory (tests, reshaped convolution kernels). */
    public static Matrix of(float[] w, int rows, int cols) {
        if (w.length != rows * cols) {
            throw new IllegalArgumentException("need " + rows * cols + " floats, got " + w.length);
        }
        return new F32Matrix(rows, cols, MemorySegment.ofArray(w));
    }
}
