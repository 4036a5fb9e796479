package dev.sightline.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The simplest {@link KvSequence}: every token kept, as floats on the heap, attention computed directly. It has no
 * budget and never evicts, so it serves as the exact reference that paged and quantized stores are tested against,
 * and as the store for one-shot work (reference logits) where memory is not a concern.
 *
 * <p>Merged tokens get proportional attention: {@code log(mergedSize)} is added to their logits, so a token standing
 * for k originals weighs as much as the k would have.
 */
public final class DenseKvSequence implements KvSequence {

    private final KvGeometry geometry;
    private final DenseKvSequence base;   // the sequence this overlays, or null
    private final int baseSize;           // tokens of base visible to this overlay
    private final float[][] keys;         // per layer, [tokens][kvDim]
    private final float[][] values;
    private final List<TokenInfo> tokens = new ArrayList<>();
    private long nextPosition;
    private int openOverlays;
    private boolean closed;

    // the block in progress
    private List<TokenInfo> block;
    private int layersStored;

    public DenseKvSequence(KvGeometry geometry) {
        this(geometry, null, 0, 0);
    }

    private DenseKvSequence(KvGeometry geometry, DenseKvSequence base, int baseSize, long nextPosition) {
        this.geometry = geometry;
        this.base = base;
        this.baseSize = baseSize;
        this.nextPosition = nextPosition;
        this.keys = new float[geometry.layers()][0];
        this.values = new float[geometry.layers()][0];
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public int size() {
        return baseSize + tokens.size();
    }

    @Override
    public long nextPosition() {
        return nextPosition;
    }

    /** The descriptions of all tokens visible to this sequence, in order. */
    public List<TokenInfo> tokens() {
        List<TokenInfo> all = new ArrayList<>(size());
        if (base != null) {
            all.addAll(base.tokens().subList(0, baseSize));
        }
        all.addAll(tokens);
        return all;
    }

    @Override
    public void beginBlock(List<TokenInfo> newTokens) {
        ensureOpen();
        if (openOverlays > 0) {
            throw new IllegalStateException("cannot add tokens while an overlay is open on this sequence");
        }
        if (block != null) {
            throw new IllegalStateException("previous block was not ended");
        }
        if (newTokens.isEmpty()) {
            throw new IllegalArgumentException("a block needs at least one token");
        }
        block = List.copyOf(newTokens);
        layersStored = 0;
    }

    @Override
    public void store(int layer, float[] k, float[] v) {
        ensureInBlock();
        if (layer != layersStored) {
            throw new IllegalStateException("layers must be stored in order: expected layer " + layersStored
                    + ", got " + layer);
        }
        int n = block.size();
        int kvDim = geometry.kvDim();
        if (k.length != n * kvDim || v.length != n * kvDim) {
            throw new IllegalArgumentException("layer " + layer + ": keys and values need " + n + " x " + kvDim
                    + " floats, got " + k.length + " and " + v.length);
        }
        int held = tokens.size() * kvDim;
        keys[layer] = Arrays.copyOf(keys[layer], held + k.length);
        values[layer] = Arrays.copyOf(values[layer], held + v.length);
        System.arraycopy(k, 0, keys[layer], held, k.length);
        System.arraycopy(v, 0, values[layer], held, v.length);
        layersStored++;
    }

    @Override
    public void attend(int layer, float[] queries, float[] out) {
        ensureInBlock();
        if (layer != layersStored - 1) {
            throw new IllegalStateException("attend(" + layer + ") must follow store(" + layer + ")");
        }
        int n = block.size();
        int qDim = geometry.queryDim();
        if (queries.length != n * qDim || out.length != n * qDim) {
            throw new IllegalArgumentException("layer " + layer + ": queries and out need " + n + " x " + qDim
                    + " floats, got " + queries.length + " and " + out.length);
        }
        List<TokenInfo> visible = tokens();
        visible.addAll(block);
        int before = size();
        int headDim = geometry.headDim();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] scores = new float[before + n];
        for (int i = 0; i < n; i++) {
            int seen = before + i + 1; // causal: earlier tokens plus the block up to i
            for (int h = 0; h < geometry.queryHeads(); h++) {
                int kvHead = h / geometry.groupSize();
                int qOff = i * qDim + h * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < seen; t++) {
                    float dot = 0;
                    float[] kArr = keyArray(layer, t);
                    int kOff = rowOffset(t) + kvHead * headDim;
                    for (int d = 0; d < headDim; d++) {
                        dot += queries[qOff + d] * kArr[kOff + d];
                    }
                    float s = dot * scale + (float) Math.log(visible.get(t).mergedSize());
                    scores[t] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int t = 0; t < seen; t++) {
                    scores[t] = (float) Math.exp(scores[t] - max);
                    sum += scores[t];
                }
                Arrays.fill(out, qOff, qOff + headDim, 0f);
                for (int t = 0; t < seen; t++) {
                    float p = (float) (scores[t] / sum);
                    float[] vArr = valueArray(layer, t);
                    int vOff = rowOffset(t) + kvHead * headDim;
                    for (int d = 0; d < headDim; d++) {
                        out[qOff + d] += p * vArr[vOff + d];
                    }
                }
            }
        }
    }

    @Override
    public void endBlock() {
        ensureInBlock();
        if (layersStored != geometry.layers()) {
            throw new IllegalStateException("block ended after " + layersStored + " of " + geometry.layers()
                    + " layers");
        }
        tokens.addAll(block);
        for (TokenInfo t : block) {
            nextPosition = Math.max(nextPosition, t.maxRopeIndex() + 1);
        }
        block = null;
    }

    @Override
    public KvSequence overlay() {
        ensureOpen();
        if (block != null) {
            throw new IllegalStateException("cannot open an overlay in the middle of a block");
        }
        openOverlays++;
        return new DenseKvSequence(geometry, this, size(), nextPosition);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (base != null) {
                base.openOverlays--;
            }
        }
    }

    // Token t of the visible sequence lives in the base for t < baseSize, else here (the block included).
    private float[] keyArray(int layer, int t) {
        return t < baseSize ? base.keyArray(layer, t) : keys[layer];
    }

    private float[] valueArray(int layer, int t) {
        return t < baseSize ? base.valueArray(layer, t) : values[layer];
    }

    private int rowOffset(int t) {
        return (t < baseSize ? base.rowOffset(t) : (t - baseSize) * geometry.kvDim());
    }

    private void ensureInBlock() {
        ensureOpen();
        if (block == null) {
            throw new IllegalStateException("no block in progress: call beginBlock first");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("sequence is closed");
        }
    }
}
