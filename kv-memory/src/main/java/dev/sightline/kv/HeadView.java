package dev.sightline.kv;

/**
 * What a compression policy sees of one KV head of one layer while compressing: its tokens in order (slots
 * {@code 0..size()-1}), their descriptions, keys and values decoded to floats, and attention statistics when the
 * policy asked for them.
 */
public interface HeadView {

    int layer();

    int head();

    int headDim();

    /** Tokens the head holds now. */
    int size();

    TokenInfo token(int slot);

    /** How many original tokens the slot stands for (its token's merged size, or more after prototype merging). */
    int mergedSize(int slot);

    /** Pinned tokens and the recent window: always kept, whatever the policy says. */
    boolean isProtected(int slot);

    /** How many unprotected tokens this head is meant to keep (wrappers such as AdaKV may move budget across heads). */
    int targetKeep();

    /** Keys after RoPE, {@code [size][headDim]}, dequantized. The array is reused: don't keep it. */
    float[] keys();

    /** Values, {@code [size][headDim]}, dequantized. The array is reused: don't keep it. */
    float[] values();

    /**
     * Decodes one slot's key and value into {@code key} and {@code value} (from index 0). For policies that need a
     * few slots (say, the evicted ones), this reads only their page bytes instead of every slot's.
     */
    default void read(int slot, float[] key, float[] value) {
        System.arraycopy(keys(), slot * headDim(), key, 0, headDim());
        System.arraycopy(values(), slot * headDim(), value, 0, headDim());
    }

    /**
     * Decodes slots {@code [from, from + n)} into {@code rows} from index 0, one row per slot: its key's
     * {@code headDim} floats, then its value's (the layout F16 pages have, so a stretch converts in one loop). For
     * policies that walk a head a stretch at a time (a page, a frame): only the stretch's page bytes are read, and
     * nothing the size of the whole head is written, so what is read stays in the core's caches.
     */
    default void readRows(int from, int n, float[] rows) {
        int dim = headDim();
        float[] keys = keys();
        float[] values = values();
        for (int i = 0; i < n; i++) {
            System.arraycopy(keys, (from + i) * dim, rows, 2 * i * dim, dim);
            System.arraycopy(values, (from + i) * dim, rows, (2 * i + 1) * dim, dim);
        }
    }

    /**
     * The L2 norm of each slot's key (one per slot; the array may be longer). Computed once when the token was
     * stored, from the key as the engine gave it (before quantization), when the policy asked for it
     * ({@link CompressionPolicy#needsTokenNorms()}); otherwise computed now from {@link #keys()}. Don't change it.
     */
    default float[] keyNorms() {
        return norms(keys(), size(), headDim());
    }

    /** The L2 norm of each slot's value, as {@link #keyNorms()} is of its key. */
    default float[] valueNorms() {
        return norms(values(), size(), headDim());
    }

    private static float[] norms(float[] rows, int n, int dim) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = AttentionKernel.norm(rows, i * dim, dim);
        }
        return out;
    }

    /**
     * Attention each slot has received, summed over all queries of all blocks since it was stored (averaged over the
     * query heads of this KV head), or null when the policy did not ask for statistics.
     */
    float[] accumulatedAttention();

    /** Attention each slot received from the last query of the latest block, or null. */
    float[] lastAttention();

    /**
     * Attention each slot received from the observation window: the last queries of the latest block, or every
     * query of an overlay opened since (a question, or proxy queries fed through an overlay), or null.
     */
    float[] windowAttention();

    /** A seed for randomised choices, fixed per session, compression pass, layer and head. */
    long seed();

    /**
     * Replaces the slot's key and value with a merged prototype standing for {@code mergedSize} original tokens,
     * and keeps the slot. For policies that merge what they evict rather than dropping it.
     */
    void replace(int slot, float[] key, float[] value, int mergedSize);
}
