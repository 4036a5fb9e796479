package dev.sightline.kv;

/**
 * Chooses which tokens a session keeps when it compresses. One small class per method from the literature, each
 * with one scoring method; wrappers (AdaKV, PyramidKV, ChunkKV) change how budgets are split or how tokens are
 * grouped, around any scorer.
 *
 * <p>A compression pass runs per layer: the store asks the policy for the layer's budget ({@link #layerTarget}),
 * protects pinned tokens and the recent window, asks it to {@link #select} which other tokens each head keeps
 * (by default the best {@link #score}s), lets it {@link #reclaim} what is evicted (drop, or merge into prototypes),
 * then compacts each head in order and frees the pages. Heads of one layer may keep different tokens and different
 * numbers of them.
 *
 * <p>Policies must be deterministic given the view (use {@link HeadView#seed()} for randomness) and should break
 * ties toward the newer token, so runs and restored snapshots reproduce.
 */
public interface CompressionPolicy {

    /** The name {@link Policies#byName} knows this policy by. */
    String name();

    /** False for a policy that never evicts (the full cache): the session refuses work past its budget instead. */
    default boolean evicts() {
        return true;
    }

    /** Whether the store must track attention statistics for {@link HeadView#accumulatedAttention()} and friends. */
    default boolean needsAttentionStats() {
        return false;
    }

    /**
     * Whether the store must compute each token's key and value L2 norms when it stores the token, for
     * {@link HeadView#keyNorms()} and {@link HeadView#valueNorms()}. A pass then reads two small arrays instead of
     * decoding every page: the work moves to store time (two 64-float dot products per token and head) and costs
     * 8 bytes per head slot, charged to the budget.
     */
    default boolean needsTokenNorms() {
        return false;
    }

    /** Tokens per head that layer {@code layer} keeps when the session compresses to {@code target} per head. */
    default int layerTarget(int layer, int layers, int target) {
        return target;
    }

    /** Scores one head's tokens, one per slot: higher means more worth keeping. Protected slots' scores are ignored. */
    float[] score(HeadView head);

    /**
     * Marks in {@code kept[h]} the slots head {@code h} keeps, {@code keep[h]} of them besides the protected ones
     * (already marked). By default each head keeps its best-scored slots.
     */
    default void select(LayerView layer, int[] keep, boolean[][] kept) {
        for (int h = 0; h < layer.heads(); h++) {
            HeadView head = layer.head(h);
            Selection.keepBest(score(head), head, keep[h], kept[h]);
        }
    }

    /** Does something with the slots about to be evicted (not marked in {@code kept}); by default nothing. */
    default void reclaim(LayerView layer, boolean[][] kept) {
    }
}
