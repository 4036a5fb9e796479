package dev.sightline.kv;

/**
 * The byte account of one session (its memory and any overlays on it): every page taken and every byte of
 * per-token metadata is counted here, and a page that would pass the budget is refused. Also holds the session's
 * reusable scratch buffers and counters.
 */
final class SessionAccount implements PageSource {

    final KvPool pool;
    final long budgetBytes;
    private int pagesHeld;
    private long metadataBytes;
    private long peakBytes;

    long compressions;
    long evictedSlots;
    long droppedTokens;
    long blocks;
    long refusals;
    long compressionNanos;

    // attention scratch, grown on demand (bounded by the budget's token count)
    float[] keys = new float[0];
    float[] keysT = new float[0];
    float[] values = new float[0];
    float[] rows = new float[0];          // decode steps over F16 pages: [token][key | value]
    float[] bias = new float[0];
    float[] probs = new float[0];
    float[][] tileProbs = new float[AttentionKernel.TILE][0];
    private float[][] groupProbs = new float[0][];
    float[] gatherK = new float[0];
    float[] gatherV = new float[0];
    private ViewBuffers[] viewBuffers = new ViewBuffers[0];

    SessionAccount(KvPool pool, long budgetBytes) {
        this.pool = pool;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public synchronized KvPool.Page takePage() {
        long after = usedBytes() + pool.pageBytes();
        if (after > budgetBytes) {
            refusals++;
            throw new KvBudgetExceededException("KV session budget of " + budgetBytes + " bytes (one more page)",
                    pool.pageBytes(), budgetBytes - usedBytes());
        }
        KvPool.Page page = pool.take();
        pagesHeld++;
        peakBytes = Math.max(peakBytes, usedBytes());
        return page;
    }

    @Override
    public synchronized void givePage(KvPool.Page page) {
        pool.give(page);
        pagesHeld--;
    }

    @Override
    public int pageBytes() {
        return pool.pageBytes();
    }

    synchronized void addMetadata(long bytes) {
        metadataBytes += bytes;
        peakBytes = Math.max(peakBytes, usedBytes());
    }

    synchronized int pagesHeld() {
        return pagesHeld;
    }

    synchronized long pageBytesUsed() {
        return (long) pagesHeld * pool.pageBytes();
    }

    long metadataBytes() {
        return metadataBytes;
    }

    long usedBytes() {
        return pageBytesUsed() + metadataBytes;
    }

    long peakBytes() {
        return peakBytes;
    }

    void ensureAttentionScratch(int tokens, int dim) {
        if (keys.length < tokens * dim) {
            int n = Math.max(tokens * dim, keys.length * 3 / 2);
            keys = new float[n];
            keysT = new float[n];
            values = new float[n];
            rows = new float[2 * n];
        }
        if (bias.length < tokens) {
            int n = Math.max(tokens, bias.length * 3 / 2);
            bias = new float[n];
            probs = new float[n];
            for (int j = 0; j < tileProbs.length; j++) {
                tileProbs[j] = new float[n];
            }
        }
    }

    /** One probability row per query head of a GQA group, for a decode step over {@code tokens} keys. */
    float[][] groupProbs(int group, int tokens) {
        if (groupProbs.length < group || groupProbs[0].length < tokens) {
            int n = Math.max(tokens, groupProbs.length == 0 ? 0 : groupProbs[0].length * 3 / 2);
            groupProbs = new float[Math.max(group, groupProbs.length)][n];
        }
        return groupProbs;
    }

    void ensureGather(int floats) {
        if (gatherK.length < floats) {
            gatherK = new float[floats];
            gatherV = new float[floats];
        }
    }

    /** Reusable arrays for the policy views of compression worker {@code worker} (0 is the calling thread). */
    synchronized ViewBuffers viewBuffers(int worker) {
        if (viewBuffers.length <= worker) {
            viewBuffers = java.util.Arrays.copyOf(viewBuffers, worker + 1);
        }
        if (viewBuffers[worker] == null) {
            viewBuffers[worker] = new ViewBuffers();
        }
        return viewBuffers[worker];
    }

    /** Decoded keys and values of one layer's heads as a compression worker's policy sees them. */
    static final class ViewBuffers {
        private float[][] keys = new float[0][];
        private float[][] values = new float[0][];

        /** Index {@code h} is used by head {@code h} of the layer being compressed. */
        float[] keys(int h, int floats) {
            keys = grow(keys, h, floats);
            return keys[h];
        }

        float[] values(int h, int floats) {
            values = grow(values, h, floats);
            return values[h];
        }

        private static float[][] grow(float[][] arr, int h, int floats) {
            if (arr.length <= h) {
                arr = java.util.Arrays.copyOf(arr, h + 1);
            }
            if (arr[h] == null || arr[h].length < floats) {
                arr[h] = new float[floats];
            }
            return arr;
        }
    }
}
