package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.lang.foreign.Arena;

/**
 * SmolVLM/Idefics3's image encoder: a SigLIP vision transformer (conv patch embedding, learned positions, pre-norm
 * blocks with gelu_pytorch_tanh, a post layer norm) and the connector (pixel shuffle by {@code scale_factor}, then a
 * bias-free linear projection into the text model's width).
 *
 * <p>Call {@link #encode} per frame for the patch grid, then {@link #connect} for the tokens the text model takes.
 */
public final class VisionTower {

    private record Block(float[] ln1w, float[] ln1b, Matrix q, Matrix k, Matrix v, Matrix o, float[] qb, float[] kb,
                         float[] vb, float[] ob, float[] ln2w, float[] ln2b, Matrix fc1, float[] fc1b, Matrix fc2,
                         float[] fc2b) {
    }

    private final int imageSize;
    private final int patchSize;
    private final int channels;
    private final int hidden;
    private final int heads;
    private final int intermediate;
    private final float eps;
    private final int scale;
    private final int textHidden;
    private final Matrix patchEmbedding;
    private final float[] patchBias;
    private final float[] positions;
    private final Block[] blocks;
    private final float[] postW;
    private final float[] postB;
    private final Matrix projection;

    private VisionTower(int imageSize, int patchSize, int channels, int hidden, int heads, int intermediate, float eps,
                        int scale, int textHidden, Matrix patchEmbedding, float[] patchBias, float[] positions,
                        Block[] blocks, float[] postW, float[] postB, Matrix projection) {
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.channels = channels;
        this.hidden = hidden;
        this.heads = heads;
        this.intermediate = intermediate;
        this.eps = eps;
        this.scale = scale;
        this.textHidden = textHidden;
        this.patchEmbedding = patchEmbedding;
        this.patchBias = patchBias;
        this.positions = positions;
        this.blocks = blocks;
        this.postW = postW;
        this.postB = postB;
        this.projection = projection;
    }

    /**
     * The vision tower and connector of a SmolVLM/Idefics3 checkpoint on their own (no text decoder), for callers
     * that only turn frames into tokens. The weights stay mapped as long as {@code cp} is open.
     */
    public static VisionTower load(Checkpoint cp) {
        JsonNode text = cp.config().path("text_config");
        int textHidden = TextConfig.required(text, "hidden_size", cp.dir() + "/config.json text_config");
        return load(cp, cp.config(), textHidden, Arena.ofAuto());
    }

    static VisionTower load(Checkpoint cp, JsonNode config, int textHidden, Arena arena) {
        JsonNode v = config.path("vision_config");
        String where = cp.dir() + "/config.json vision_config";
        // Defaults are transformers' SmolVLMVisionConfig/Idefics3VisionConfig defaults (keys equal to them may be
        // left out of config.json).
        int hidden = v.path("hidden_size").asInt(1152);
        int inter = v.path("intermediate_size").asInt(3072);
        int layers = v.path("num_hidden_layers").asInt(12);
        int heads = v.path("num_attention_heads").asInt(16);
        int channels = v.path("num_channels").asInt(3);
        int image = v.path("image_size").asInt(224);
        int patch = v.path("patch_size").asInt(32);
        float eps = (float) v.path("layer_norm_eps").asDouble(1e-6);
        String act = v.path("hidden_act").asText("gelu_pytorch_tanh");
        int scale = config.path("scale_factor").asInt(2);
        if (!act.equals("gelu_pytorch_tanh")) {
            throw new ModelFormatException(where + ": unsupported hidden_act '" + act + "'");
        }
        if (hidden % heads != 0) {
            throw new ModelFormatException(where + ": hidden_size " + hidden + " is not divisible by "
                    + "num_attention_heads " + heads);
        }
        if (image % patch != 0) {
            throw new ModelFormatException(where + ": image_size " + image + " is not a multiple of patch_size "
                    + patch);
        }
        int side = image / patch;
        if (scale < 1 || side % scale != 0) {
            throw new ModelFormatException(where + ": the " + side + "x" + side + " patch grid cannot be pixel-shuffled"
                    + " by scale_factor " + scale);
        }
        String p = cp.prefixOf("embeddings.patch_embedding.weight", "model.vision_model.", "vision_model.");
        if (p == null) {
            throw new ModelFormatException("checkpoint " + cp.dir()
                    + " is missing tensor 'model.vision_model.embeddings.patch_embedding.weight'");
        }
        WeightLoader w = new WeightLoader(cp, arena, false);
        int patchInputs = channels * patch * patch;
        Matrix patchEmbedding = Matrix.of(w.floats(p + "embeddings.patch_embedding.weight", hidden, channels, patch,
                patch), hidden, patchInputs);
        float[] patchBias = w.vector(p + "embeddings.patch_embedding.bias", hidden);
        float[] pos = w.floats(p + "embeddings.position_embedding.weight", (long) side * side, hidden);
        Block[] blocks = new Block[layers];
        for (int i = 0; i < layers; i++) {
            String b = p + "encoder.layers." + i + ".";
            blocks[i] = new Block(
                    w.vector(b + "layer_norm1.weight", hidden), w.vector(b + "layer_norm1.bias", hidden),
                    w.matrix(b + "self_attn.q_proj.weight", hidden, hidden),
                    w.matrix(b + "self_attn.k_proj.weight", hidden, hidden),
                    w.matrix(b + "self_attn.v_proj.weight", hidden, hidden),
                    w.matrix(b + "self_attn.out_proj.weight", hidden, hidden),
                    w.vector(b + "self_attn.q_proj.bias", hidden), w.vector(b + "self_attn.k_proj.bias", hidden),
                    w.vector(b + "self_attn.v_proj.bias", hidden), w.vector(b + "self_attn.out_proj.bias", hidden),
                    w.vector(b + "layer_norm2.weight", hidden), w.vector(b + "layer_norm2.bias", hidden),
                    w.matrix(b + "mlp.fc1.weight", inter, hidden), w.vector(b + "mlp.fc1.bias", inter),
                    w.matrix(b + "mlp.fc2.weight", hidden, inter), w.vector(b + "mlp.fc2.bias", hidden));
        }
        float[] postW = w.vector(p + "post_layernorm.weight", hidden);
        float[] postB = w.vector(p + "post_layernorm.bias", hidden);
        String c = cp.prefixOf("modality_projection.proj.weight", "model.connector.", "connector.");
        if (c == null) {
            throw new ModelFormatException("checkpoint " + cp.dir()
                    + " is missing tensor 'model.connector.modality_projection.proj.weight'");
        }
        Matrix proj = w.matrix(c + "modality_projection.proj.weight", textHidden, hidden * scale * scale);
        return new VisionTower(image, patch, channels, hidden, heads, inter, eps, scale, textHidden, patchEmbedding,
                patchBias, pos, blocks, postW, postB, proj);
    }

    /** Side of the square image the tower takes, in pixels. */
    public int imageSize() {
        return imageSize;
    }

    public int patchSize() {
        return patchSize;
    }

    /** Pixel-shuffle factor of the connector. */
    public int scaleFactor() {
        return scale;
    }

    /** Patches per side before the connector. */
    public int gridSide() {
        return imageSize / patchSize;
    }

    /** Text-model tokens one image becomes. */
    public int tokensPerImage() {
        int s = gridSide() / scale;
        return s * s;
    }

    /**
     * The vision transformer's output for one preprocessed image {@code [channels][imageSize][imageSize]}: a grid of
     * {@code gridSide x gridSide} patch features of the tower's width.
     */
    public PatchGrid encode(float[] pixels) {
        int side = gridSide();
        return new PatchGrid(side, side, hidden, encodePatches(pixels, allPositions(side * side)));
    }

    /**
     * The tower on a subset of the image's patches only, as RLT runs its ViT on the changed patches: each selected
     * patch gets its patch embedding and its own learned position embedding, the encoder blocks attend among the
     * selected patches only, then the post norm. The cost scales with the number of patches (linearly, plus the
     * attention's square). With every position selected in grid order the result equals {@link #encode} exactly
     * (it is the same computation).
     *
     * @param pixels    one preprocessed image {@code [channels][imageSize][imageSize]}
     * @param positions distinct patch indices {@code row * gridSide + col}, in the order wanted
     * @return {@code positions.length x hiddenSize} floats, row-major, in the order of {@code positions}
     */
    public float[] encodePatches(float[] pixels, int[] positions) {
        int side = gridSide();
        int inputs = channels * patchSize * patchSize;
        if (pixels.length != channels * imageSize * imageSize) {
            throw new IllegalArgumentException("an image for this tower must be " + channels + "x" + imageSize + "x"
                    + imageSize + " floats, got " + pixels.length);
        }
        boolean[] seen = new boolean[side * side];
        for (int p : positions) {
            if (p < 0 || p >= seen.length || seen[p]) {
                throw new IllegalArgumentException("patch position " + p + " is " + (p < 0 || p >= seen.length
                        ? "outside the " + side + "x" + side + " grid" : "selected twice"));
            }
            seen[p] = true;
        }
        int n = positions.length;
        if (n == 0) {
            return new float[0];
        }
        float[] patches = new float[n * inputs];
        float[] pos = new float[n * hidden];
        for (int i = 0; i < n; i++) {
            int pr = positions[i] / side;
            int pc = positions[i] % side;
            int o = i * inputs;
            for (int ch = 0; ch < channels; ch++) {
                for (int y = 0; y < patchSize; y++) {
                    int src = (ch * imageSize + pr * patchSize + y) * imageSize + pc * patchSize;
                    System.arraycopy(pixels, src, patches, o + (ch * patchSize + y) * patchSize, patchSize);
                }
            }
            System.arraycopy(this.positions, positions[i] * hidden, pos, i * hidden, hidden);
        }
        float[] x = new float[n * hidden];
        patchEmbedding.matmul(patches, n, x);
        VectorMath.addBias(x, patchBias, n, hidden);
        VectorMath.addInPlace(x, pos, n * hidden);

        int headDim = hidden / heads;
        float[] xn = new float[n * hidden];
        float[] q = new float[n * hidden];
        float[] k = new float[n * hidden];
        float[] v = new float[n * hidden];
        float[] att = new float[n * hidden];
        float[] proj = new float[n * hidden];
        float[] mid = new float[n * intermediate];
        for (Block b : blocks) {
            VectorMath.layerNorm(x, xn, b.ln1w, b.ln1b, n, hidden, eps);
            b.q.matmul(xn, n, q);
            b.k.matmul(xn, n, k);
            b.v.matmul(xn, n, v);
            VectorMath.addBias(q, b.qb, n, hidden);
            VectorMath.addBias(k, b.kb, n, hidden);
            VectorMath.addBias(v, b.vb, n, hidden);
            EncoderAttention.attend(q, k, v, n, heads, headDim, att);
            b.o.matmul(att, n, proj);
            VectorMath.addBias(proj, b.ob, n, hidden);
            VectorMath.addInPlace(x, proj, n * hidden);
            VectorMath.layerNorm(x, xn, b.ln2w, b.ln2b, n, hidden, eps);
            b.fc1.matmul(xn, n, mid);
            VectorMath.addBias(mid, b.fc1b, n, intermediate);
            VectorMath.geluTanh(mid, n * intermediate);
            b.fc2.matmul(mid, n, proj);
            VectorMath.addBias(proj, b.fc2b, n, hidden);
            VectorMath.addInPlace(x, proj, n * hidden);
        }
        VectorMath.layerNorm(x, x, postW, postB, n, hidden, eps);
        return x;
    }

    private static int[] allPositions(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /** Width of the tower's per-patch output (before the connector). */
    public int hiddenSize() {
        return hidden;
    }

    /**
     * Estimated floating-point operations (a multiply-add counts 2) of {@link #encodePatches} on {@code patches}
     * patches: the patch embedding, per block the four attention projections, the attention itself (scores and
     * weighted sum, quadratic in the patches) and the MLP. Norms, biases and activations are left out (a few
     * percent). The connector is not part of it.
     */
    public long encoderFlops(int patches) {
        long n = patches;
        long h = hidden;
        long embed = 2 * n * channels * patchSize * patchSize * h;
        long perBlock = 2 * n * 4 * h * h + 2 * 2 * n * n * h + 2 * 2 * n * h * intermediate;
        return embed + blocks.length * perBlock;
    }

    /**
     * The connector: pixel shuffle (each {@code scale x scale} block of patches becomes one token whose features are
     * the block's patches concatenated row by row) and the projection into the text model's width.
     */
    public PatchGrid connect(PatchGrid patches) {
        int out = gridSide() / scale;
        return new PatchGrid(out, out, textHidden, connect(patches, allPositions(out * out)));
    }

    /**
     * The connector for some tokens only ({@code row * (gridSide / scale) + col} on the token grid), for a caller that
     * keeps the other tokens from an earlier frame. All tokens in grid order give exactly {@link #connect(PatchGrid)}.
     *
     * @return {@code tokens.length x textHidden} floats, row-major, in the order of {@code tokens}
     */
    public float[] connect(PatchGrid patches, int[] tokens) {
        int side = gridSide();
        if (patches.rows() != side || patches.cols() != side || patches.dim() != hidden) {
            throw new IllegalArgumentException("expected a " + side + "x" + side + "x" + hidden + " patch grid, got "
                    + patches.rows() + "x" + patches.cols() + "x" + patches.dim());
        }
        int out = side / scale;
        int wide = hidden * scale * scale;
        int n = tokens.length;
        float[] shuffled = new float[n * wide];
        float[] src = patches.data();
        for (int i = 0; i < n; i++) {
            if (tokens[i] < 0 || tokens[i] >= out * out) {
                throw new IllegalArgumentException("token " + tokens[i] + " is outside the " + out + "x" + out
                        + " token grid");
            }
            int r = tokens[i] / out;
            int c = tokens[i] % out;
            int o = i * wide;
            for (int dr = 0; dr < scale; dr++) {
                for (int dc = 0; dc < scale; dc++) {
                    int from = ((r * scale + dr) * side + c * scale + dc) * hidden;
                    System.arraycopy(src, from, shuffled, o + (dr * scale + dc) * hidden, hidden);
                }
            }
        }
        float[] projected = new float[n * textHidden];
        if (n > 0) {
            projection.matmul(shuffled, n, projected);
        }
        return projected;
    }
}
