package dev.sightline.model;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family decoder (Llama, SmolLM2, Qwen2): embeddings, pre-norm blocks of grouped-query attention with RoPE
 * and a SwiGLU MLP, a final RMSNorm and the LM head (tied to the embeddings when the checkpoint has no
 * {@code lm_head.weight}). Keys and values live only in the {@link KvSequence} given to {@link #forward}.
 *
 * <p>Any number of new tokens (or ready-made embeddings, such as image features) can be fed on top of what the
 * sequence already holds; each token's RoPE position is its {@link TokenInfo#position()}.
 */
public final class TextDecoder {

    /** Which rows of logits a forward pass returns. */
    public enum Logits { NONE, LAST, ALL }

    private record Layer(float[] inputNorm, Matrix q, Matrix k, Matrix v, Matrix o, float[] qBias, float[] kBias,
                         float[] vBias, float[] oBias, float[] postNorm, Matrix gate, Matrix up, Matrix down) {

        /**
         * The weights a decode step reads next once attention is done (o, then gate and up), in that order: what a
         * helper thread pulls into the cache while the caller runs attention, which streams no weights.
         */
        MemorySegment[] afterAttention() {
            return segments(o, gate, up);
        }
    }

    /** The memory of {@code ms}' weights, in order. */
    private static MemorySegment[] segments(Matrix... ms) {
        List<MemorySegment> s = new ArrayList<>();
        for (Matrix m : ms) {
            s.addAll(List.of(m.weightSegments()));
        }
        return s.toArray(MemorySegment[]::new);
    }

    private final TextConfig config;
    private final Tensor embeddings;
    private final Layer[] layers;
    private final MemorySegment[][] afterAttention;
    private final MemorySegment[][] qkvWeights;
    private final MemorySegment[][] downWeights;
    private final MemorySegment[] lmHeadWeights;
    private final float[] finalNorm;
    private final Matrix lmHead;
    private final RotaryEmbedding rotary;
    private final KvGeometry geometry;
    private final long weightBytesPerToken;

    private TextDecoder(TextConfig config, Tensor embeddings, Layer[] layers, float[] finalNorm, Matrix lmHead) {
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers;
        this.afterAttention = new MemorySegment[layers.length][];
        this.qkvWeights = new MemorySegment[layers.length][];
        this.downWeights = new MemorySegment[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            afterAttention[i] = layers[i].afterAttention();
            qkvWeights[i] = segments(layers[i].q, layers[i].k, layers[i].v);
            downWeights[i] = segments(layers[i].down);
        }
        this.lmHeadWeights = segments(lmHead);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rotary = new RotaryEmbedding(config.rope(), config.headDim(), config.maxPositions());
        this.geometry = new KvGeometry(config.layers(), config.kvHeads(), config.headDim(), config.heads());
        long bytes = lmHead.weightBytes();
        for (Layer l : layers) {
            bytes += l.q.weightBytes() + l.k.weightBytes() + l.v.weightBytes() + l.o.weightBytes()
                    + l.gate.weightBytes() + l.up.weightBytes() + l.down.weightBytes();
        }
        this.weightBytesPerToken = bytes;
    }

    /**
     * Loads the decoder whose tensors sit under {@code prefix} (e.g. {@code model.} or {@code model.text_model.}),
     * with the LM head at {@code lmHeadName}. With {@code quantizeQ8}, matrices are quantized to Q8_0 at load.
     */
    static TextDecoder load(Checkpoint cp, TextConfig cfg, String prefix, String lmHeadName, boolean quantizeQ8,
                            Arena arena) {
        int h = cfg.hiddenSize();
        int qDim = cfg.heads() * cfg.headDim();
        int kvDim = cfg.kvHeads() * cfg.headDim();
        Tensor embed = cp.tensor(prefix + "embed_tokens.weight").expectShape(cfg.vocabSize(), h);
        WeightLoader w = new WeightLoader(cp, arena, quantizeQ8);
        Layer[] layers = new Layer[cfg.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = prefix + "layers." + i + ".";
            layers[i] = new Layer(
                    w.vector(p + "input_layernorm.weight", h),
                    w.matrix(p + "self_attn.q_proj.weight", qDim, h),
                    w.matrix(p + "self_attn.k_proj.weight", kvDim, h),
                    w.matrix(p + "self_attn.v_proj.weight", kvDim, h),
                    w.matrix(p + "self_attn.o_proj.weight", h, qDim),
                    w.optionalVector(p + "self_attn.q_proj.bias", qDim),
                    w.optionalVector(p + "self_attn.k_proj.bias", kvDim),
                    w.optionalVector(p + "self_attn.v_proj.bias", kvDim),
                    w.optionalVector(p + "self_attn.o_proj.bias", h),
                    w.vector(p + "post_attention_layernorm.weight", h),
                    w.matrix(p + "mlp.gate_proj.weight", cfg.intermediateSize(), h),
                    w.matrix(p + "mlp.up_proj.weight", cfg.intermediateSize(), h),
                    w.matrix(p + "mlp.down_proj.weight", h, cfg.intermediateSize()));
        }
        float[] norm = w.vector(prefix + "norm.weight", h);
        Matrix head;
        if (lmHeadName != null && cp.has(lmHeadName)) {
            head = w.matrix(lmHeadName, cfg.vocabSize(), h);
        } else if (cfg.tieWordEmbeddings() || lmHeadName == null) {
            head = w.matrix(prefix + "embed_tokens.weight", cfg.vocabSize(), h);
        } else {
            throw new ModelFormatException("checkpoint " + cp.dir() + " is missing tensor '" + lmHeadName
                    + "' and its config does not tie word embeddings");
        }
        return new TextDecoder(cfg, embed, layers, norm, head);
    }

    public TextConfig config() {
        return config;
    }

    /** What a {@link KvSequence} for this decoder must hold. */
    public KvGeometry geometry() {
        return geometry;
    }

    public int hiddenSize() {
        return config.hiddenSize();
    }

    public int vocabSize() {
        return config.vocabSize();
    }

    /** Bytes of weights one decode step reads (all matrices once; embeddings row and norms ignored). */
    public long weightBytesPerToken() {
        return weightBytesPerToken;
    }

    /** The embedding rows of {@code ids}, {@code [n][hidden]}. */
    public float[] embed(int[] ids) {
        int h = config.hiddenSize();
        float[] out = new float[ids.length * h];
        for (int t = 0; t < ids.length; t++) {
            int id = ids[t];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " at index " + t + " is outside the vocabulary"
                        + " of " + config.vocabSize());
            }
            long base = (long) id * h;
            for (int i = 0; i < h; i++) {
                out[t * h + i] = embeddings.get(base + i);
            }
        }
        return out;
    }

    /**
     * Runs {@code tokens.size()} new tokens given as embeddings {@code [n][hidden]} through the decoder on top of
     * {@code kv}, storing their keys and values there, and returns the requested logits ({@code [vocab]} for LAST,
     * {@code [n][vocab]} for ALL, null for NONE).
     */
    public float[] forward(float[] inputEmbeddings, List<TokenInfo> tokens, KvSequence kv, Logits which) {
        return forward(inputEmbeddings, tokens, kv, which, null);
    }

    /** As {@link #forward}, also copying the residual stream after each layer into {@code hiddenAfterLayer[l]}. */
    float[] forward(float[] inputEmbeddings, List<TokenInfo> tokens, KvSequence kv, Logits which,
                    float[][] hiddenAfterLayer) {
        int n = tokens.size();
        int h = config.hiddenSize();
        if (n == 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        if (inputEmbeddings.length != n * h) {
            throw new IllegalArgumentException("expected " + n + " x " + h + " embeddings, got "
                    + inputEmbeddings.length + " floats");
        }
        if (!kv.geometry().equals(geometry)) {
            throw new IllegalArgumentException("KV sequence geometry " + kv.geometry() + " does not match the model's "
                    + geometry);
        }
        long tp = DecodeProfile.start(n);
        long t0 = tp;
        int hd = config.headDim();
        int qDim = config.heads() * hd;
        int kvDim = config.kvHeads() * hd;
        int inter = config.intermediateSize();
        long[] positions = new long[n];
        long maxPos = 0;
        for (int t = 0; t < n; t++) {
            positions[t] = tokens.get(t).position();
            maxPos = Math.max(maxPos, positions[t]);
        }
        float[][] rope = rotary.table(positions, rotary.invFreq(maxPos));

        float[] x = inputEmbeddings.clone();
        float[] xn = new float[n * h];
        float[] q = new float[n * qDim];
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        float[] att = new float[n * qDim];
        float[] proj = new float[n * h];
        float[] gate = new float[n * inter];
        float[] up = new float[n * inter];

        kv.beginBlock(tokens);
        tp = DecodeProfile.lap(DecodeProfile.Part.SETUP, tp);
        try {
            for (int l = 0; l < layers.length; l++) {
                Layer L = layers[l];
                // Short serial steps (a norm, SiLU) also leave the helper idle: it starts on the next product's
                // weights meanwhile, so their first bytes are already on their way when the product starts.
                DecodeTeam.Prefetch gap = prefetch(n, qkvWeights[l]);
                VectorMath.rmsNorm(x, xn, L.inputNorm, n, h, config.rmsNormEps());
                stop(gap);
                tp = DecodeProfile.lap(DecodeProfile.Part.NORMS, tp);
                Matrix.matmulAll(new Matrix[]{L.q, L.k, L.v}, xn, n, new float[][]{q, k, v});
                tp = DecodeProfile.lap(DecodeProfile.Part.QKV, tp);
                if (L.qBias != null) {
                    VectorMath.addBias(q, L.qBias, n, qDim);
                }
                if (L.kBias != null) {
                    VectorMath.addBias(k, L.kBias, n, kvDim);
                }
                if (L.vBias != null) {
                    VectorMath.addBias(v, L.vBias, n, kvDim);
                }
                // In decode, a helper streams the next weights into the cache while this thread does the work
                // between the products (RoPE, the KV store, attention), which reads no weights.
                DecodeTeam.Prefetch prefetch = prefetch(n, afterAttention[l]);
                try {
                    rotary.apply(q, n, config.heads(), hd, rope);
                    rotary.apply(k, n, config.kvHeads(), hd, rope);
                    tp = DecodeProfile.lap(DecodeProfile.Part.ROPE, tp);
                    kv.store(l, k.clone(), v.clone());
                    tp = DecodeProfile.lap(DecodeProfile.Part.KV_STORE, tp);
                    kv.attend(l, q, att);
                } finally {
                    stop(prefetch);
                }
                tp = DecodeProfile.lap(DecodeProfile.Part.ATTEND, tp);
                L.o.matmul(att, n, proj);
                tp = DecodeProfile.lap(DecodeProfile.Part.O_PROJ, tp);
                if (L.oBias != null) {
                    VectorMath.addBias(proj, L.oBias, n, h);
                }
                VectorMath.addInPlace(x, proj, n * h);
                tp = DecodeProfile.lap(DecodeProfile.Part.RESIDUAL, tp);

                VectorMath.rmsNorm(x, xn, L.postNorm, n, h, config.rmsNormEps());
                tp = DecodeProfile.lap(DecodeProfile.Part.NORMS, tp);
                Matrix.matmulAll(new Matrix[]{L.gate, L.up}, xn, n, new float[][]{gate, up});
                tp = DecodeProfile.lap(DecodeProfile.Part.GATE_UP, tp);
                gap = prefetch(n, downWeights[l]);
                VectorMath.siluTimes(gate, up, n * inter);
                stop(gap);
                tp = DecodeProfile.lap(DecodeProfile.Part.SILU, tp);
                L.down.matmul(gate, n, proj);
                tp = DecodeProfile.lap(DecodeProfile.Part.DOWN, tp);
                VectorMath.addInPlace(x, proj, n * h);
                tp = DecodeProfile.lap(DecodeProfile.Part.RESIDUAL, tp);
                if (hiddenAfterLayer != null && l < hiddenAfterLayer.length) {
                    hiddenAfterLayer[l] = x.clone();
                }
            }
        } finally {
            kv.endBlock();
        }
        if (which == Logits.NONE) {
            return null;
        }
        int first = which == Logits.LAST ? n - 1 : 0;
        int rows = n - first;
        float[] last = new float[rows * h];
        System.arraycopy(x, first * h, last, 0, rows * h);
        DecodeTeam.Prefetch gap = prefetch(n, lmHeadWeights);
        VectorMath.rmsNorm(last, last, finalNorm, rows, h, config.rmsNormEps());
        stop(gap);
        tp = DecodeProfile.lap(DecodeProfile.Part.NORMS, tp);
        float[] logits = new float[rows * config.vocabSize()];
        lmHead.matmul(last, rows, logits);
        DecodeProfile.lap(DecodeProfile.Part.LM_HEAD, tp);
        DecodeProfile.stepDone(t0);
        return logits;
    }

    /**
     * In decode with more than one thread, starts a helper reading {@code weights} into the cache while this thread
     * does serial work that reads no weights; null when not decoding, single-threaded, or no helper is free.
     */
    private static DecodeTeam.Prefetch prefetch(int tokens, MemorySegment[] weights) {
        return tokens == 1 && ComputeThreads.decodeThreads() > 1 ? DecodeTeam.shared().prefetch(weights) : null;
    }

    private static void stop(DecodeTeam.Prefetch p) {
        if (p != null) {
            p.stop();
        }
    }
}
