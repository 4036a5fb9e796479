package dev.sightline.kv;

import java.util.List;

/**
 * One sequence's keys and values for every layer of a decoder: the only place the model engine keeps them.
 *
 * <p>The engine feeds tokens in blocks. For a block of {@code n} new tokens it calls {@link #beginBlock}, then for
 * each layer in order {@link #store} (the block's keys and values) followed by {@link #attend} (the block's queries
 * over everything stored for that layer, causal within the block), then {@link #endBlock}.
 *
 * <p>Keys are stored <em>after</em> RoPE at their original positions. A store may evict tokens between blocks to stay
 * within its budget; evicted tokens leave gaps in the positions and nothing is re-indexed, so the next position to
 * use is always {@link #nextPosition()}.
 *
 * <p>Array layouts are row-major floats: keys and values {@code [n][kvHeads][headDim]}, queries and outputs
 * {@code [n][queryHeads][headDim]}.
 */
public interface KvSequence extends AutoCloseable {

    KvGeometry geometry();

    /** Tokens currently held (in the longest head, where heads differ after compression). */
    int size();

    /** One past the largest position ever stored: where the next token's position starts. */
    long nextPosition();

    /** Starts a block of new tokens described by {@code tokens}, in order. */
    void beginBlock(List<TokenInfo> tokens);

    /** Stores the current block's keys (already rotated) and values for {@code layer}. */
    void store(int layer, float[] keys, float[] values);

    /**
     * Writes into {@code out} the attention of the block's {@code queries} (already rotated) over all keys and values
     * stored for {@code layer}, including the block's own up to each query (causal), with scale
     * {@code 1/sqrt(headDim)}.
     */
    void attend(int layer, float[] queries, float[] out);

    /** Ends the block: its tokens become part of the sequence. */
    void endBlock();

    /**
     * A temporary sequence layered on top of this one: it sees everything stored here, takes new blocks itself, and
     * forgets them when closed, leaving this sequence exactly as it was. Used to answer a question without changing
     * the memory.
     */
    KvSequence overlay();

    @Override
    void close();
}
