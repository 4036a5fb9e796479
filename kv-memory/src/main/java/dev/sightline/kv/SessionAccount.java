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
    float[] bias = new float[0];
    float[] probs = new float[0];
    float[][] tileProbs = new float[AttentionKernel.TILE][0];
    float[] gatherK = new float[0];
    float[] gatherV = new float[0];
    private float[][] viewKeys = new float[0][];
    private float[][] viewValues = new float[0][];

    SessionAccount(KvPool pool, long budgetBytes) {
        this.pool = pool;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public KvPool.Page takePage() {
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
    public void givePage(KvPool.Page page) {
        pool.give(page);
        pagesHeld--;
    }

    @Override
    public int pageBytes() {
        return pool.pageBytes();
    }

    void addMetadata(long bytes) {
        metadataBytes += bytes;
        peakBytes = Math.max(peakBytes, usedBytes());
    }

    int pagesHeld() {
        return pagesHeld;
    }

    long pageBytesUsed() {
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

    void ensureGather(int floats) {
        if (gatherK.length < floats) {
            gatherK = new float[floats];
            gatherV = new float[floats];
        }
    }

    /** Reusable arrays for policy views: index {@code h} is used by head {@code h} of the layer being compressed. */
    float[] viewKeys(int h, int floats) {
        return viewBuffer(true, h, floats);
    }

    float[] viewValues(int h, int floats) {
        return viewBuffer(false, h, floats);
    }

    private float[] viewBuffer(boolean k, int h, int floats) {
        if (viewKeys.length <= h) {
            viewKeys = java.util.Arrays.copyOf(viewKeys, h + 1);
            viewValues = java.util.Arrays.copyOf(viewValues, h + 1);
        }
        float[][] arr = k ? viewKeys : viewValues;
        if (arr[h] == null || arr[h].length < floats) {
            arr[h] = new float[floats];
        }
        return arr[h];
    }
}
