package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Whisper-style audio encoder and its projector into a text model.
 *
 * <p>Encoder (transformers' WhisperEncoder): log-mel {@code [mels][frames]} → conv1 (k=3, pad 1) → GELU → conv2
 * (k=3, stride 2, pad 1) → GELU → plus positions (the checkpoint's {@code embed_positions}, sinusoidal in Whisper) →
 * pre-norm blocks (LayerNorm, attention with no key bias, LayerNorm, fc1/GELU/fc2) → final LayerNorm. Frames may be
 * fewer than Whisper's 3000 (up to {@code 2 * max_source_positions}); the output has {@code (frames - 1) / 2 + 1}
 * tokens.
 *
 * <p>Projector (Sightline's layout, as Qwen2.5-Omni does): average-pool the encoder output over time by
 * {@code audio_pool_stride} (dropping a remainder), then one Linear with bias into the text width.
 *
 * <p>Checkpoint layout. Either a bare Whisper folder (config {@code model_type: whisper}, encoder tensors with or
 * without an {@code encoder.}/{@code model.encoder.} prefix), or a SmolVLM-family folder whose config.json has an
 * {@code audio_config} object (WhisperConfig keys) and tensors under {@code model.audio_tower.}. In both, the
 * projector is {@code [model.]audio_projector.proj.weight [text_hidden][d_model]} and {@code .bias}, and
 * {@code audio_pool_stride} sits at the top of config.json (default 1). Log-mel settings come from
 * {@code preprocessor_config.json} when present, else Whisper's defaults.
 */
public final class AudioTower implements AutoCloseable {

    private record Block(float[] ln1w, float[] ln1b, Matrix q, Matrix k, Matrix v, Matrix o, float[] qb, float[] vb,
                         float[] ob, float[] ln2w, float[] ln2b, Matrix fc1, float[] fc1b, Matrix fc2, float[] fc2b) {
    }

    private final LogMelSpectrogram features;
    private final int mels;
    private final int dim;
    private final int heads;
    private final int ffn;
    private final int maxPositions;
    private final boolean tanhGelu;
    private final Matrix conv1;
    private final float[] conv1b;
    private final Matrix conv2;
    private final float[] conv2b;
    private final float[] positions;
    private final Block[] blocks;
    private final float[] lnw;
    private final float[] lnb;
    private final Matrix projector;
    private final float[] projectorBias;
    private final int poolStride;
    private final AutoCloseable owned;

    private AudioTower(LogMelSpectrogram features, int mels, int dim, int heads, int ffn, int maxPositions,
                       boolean tanhGelu, Matrix conv1, float[] conv1b, Matrix conv2, float[] conv2b, float[] positions,
                       Block[] blocks, float[] lnw, float[] lnb, Matrix projector, float[] projectorBias,
                       int poolStride, AutoCloseable owned) {
        this.features = features;
        this.mels = mels;
        this.dim = dim;
        this.heads = heads;
        this.ffn = ffn;
        this.maxPositions = maxPositions;
        this.tanhGelu = tanhGelu;
        this.conv1 = conv1;
        this.conv1b = conv1b;
        this.conv2 = conv2;
        this.conv2b = conv2b;
        this.positions = positions;
        this.blocks = blocks;
        this.lnw = lnw;
        this.lnb = lnb;
        this.projector = projector;
        this.projectorBias = projectorBias;
        this.poolStride = poolStride;
        this.owned = owned;
    }

    /** Loads a bare Whisper-encoder folder (with an optional projector beside it). Close it to unmap the weights. */
    public static AudioTower load(Path dir) {
        Checkpoint cp = Checkpoint.open(dir);
        Arena arena = Arena.ofShared();
        try {
            AudioTower t = find(cp, -1, arena, () -> {
                arena.close();
                cp.close();
            });
            if (t == null) {
                throw new ModelFormatException(dir + " holds no Whisper encoder (no conv1.weight tensor)");
            }
            return t;
        } catch (RuntimeException e) {
            arena.close();
            cp.close();
            throw e;
        }
    }

    /** The audio tower of a loaded checkpoint, or null when it has none. */
    static AudioTower find(Checkpoint cp, int textHidden, Arena arena) {
        return find(cp, textHidden, arena, null);
    }

    private static AudioTower find(Checkpoint cp, int textHidden, Arena arena, AutoCloseable owned) {
        JsonNode root = cp.config();
        JsonNode ac;
        String prefix;
        if (root.path("audio_config").isObject()) {
            ac = root.get("audio_config");
            prefix = cp.prefixOf("conv1.weight", "model.audio_tower.", "audio_tower.");
        } else if (root.path("model_type").asText("").equals("whisper")) {
            ac = root;
            prefix = cp.prefixOf("conv1.weight", "", "encoder.", "model.encoder.");
        } else {
            return null;
        }
        String where = cp.dir() + "/config.json";
        if (prefix == null) {
            throw new ModelFormatException("checkpoint " + cp.dir() + " declares an audio encoder but is missing "
                    + "tensor 'conv1.weight'");
        }
        int mels = ac.path("num_mel_bins").asInt(80);
        int dim = TextConfig.required(ac, "d_model", where);
        int layers = TextConfig.required(ac, "encoder_layers", where);
        int heads = TextConfig.required(ac, "encoder_attention_heads", where);
        int ffn = TextConfig.required(ac, "encoder_ffn_dim", where);
        int maxPos = ac.path("max_source_positions").asInt(1500);
        String act = ac.path("activation_function").asText("gelu");
        boolean tanh = switch (act) {
            case "gelu" -> false;
            case "gelu_new", "gelu_pytorch_tanh" -> true;
            default -> throw new ModelFormatException(where + ": unsupported audio activation_function '" + act + "'");
        };
        if (dim % heads != 0) {
            throw new ModelFormatException(where + ": d_model " + dim + " is not divisible by " + heads + " heads");
        }
        WeightLoader w = new WeightLoader(cp, arena, false);
        Matrix conv1 = Matrix.of(w.floats(prefix + "conv1.weight", dim, mels, 3), dim, mels * 3);
        float[] conv1b = w.vector(prefix + "conv1.bias", dim);
        Matrix conv2 = Matrix.of(w.floats(prefix + "conv2.weight", dim, dim, 3), dim, dim * 3);
        float[] conv2b = w.vector(prefix + "conv2.bias", dim);
        float[] pos = cp.has(prefix + "embed_positions.weight")
                ? w.floats(prefix + "embed_positions.weight", maxPos, dim) : sinusoids(maxPos, dim);
        Block[] blocks = new Block[layers];
        for (int i = 0; i < layers; i++) {
            String b = prefix + "layers." + i + ".";
            blocks[i] = new Block(
                    w.vector(b + "self_attn_layer_norm.weight", dim), w.vector(b + "self_attn_layer_norm.bias", dim),
                    w.matrix(b + "self_attn.q_proj.weight", dim, dim), w.matrix(b + "self_attn.k_proj.weight", dim, dim),
                    w.matrix(b + "self_attn.v_proj.weight", dim, dim),
                    w.matrix(b + "self_attn.out_proj.weight", dim, dim),
                    w.vector(b + "self_attn.q_proj.bias", dim), w.vector(b + "self_attn.v_proj.bias", dim),
                    w.vector(b + "self_attn.out_proj.bias", dim),
                    w.vector(b + "final_layer_norm.weight", dim), w.vector(b + "final_layer_norm.bias", dim),
                    w.matrix(b + "fc1.weight", ffn, dim), w.vector(b + "fc1.bias", ffn),
                    w.matrix(b + "fc2.weight", dim, ffn), w.vector(b + "fc2.bias", dim));
        }
        float[] lnw = w.vector(prefix + "layer_norm.weight", dim);
        float[] lnb = w.vector(prefix + "layer_norm.bias", dim);
        String pp = cp.prefixOf("audio_projector.proj.weight", "model.", "");
        Matrix proj = null;
        float[] projBias = null;
        if (pp != null) {
            Tensor pw = cp.tensor(pp + "audio_projector.proj.weight");
            int out = pw.dim(0);
            if (textHidden > 0 && out != textHidden) {
                throw new ModelFormatException("tensor '" + pw.name() + "' projects to " + out
                        + " but the text model's hidden size is " + textHidden);
            }
            proj = w.matrix(pp + "audio_projector.proj.weight", out, dim);
            projBias = w.optionalVector(pp + "audio_projector.proj.bias", out);
        }
        int stride = root.path("audio_pool_stride").asInt(1);
        if (stride < 1) {
            throw new ModelFormatException(where + ": audio_pool_stride must be >= 1, got " + stride);
        }
        LogMelSpectrogram lm = logMel(cp.dir(), mels);
        return new AudioTower(lm, mels, dim, heads, ffn, maxPos, tanh, conv1, conv1b, conv2, conv2b, pos, blocks, lnw,
                lnb, proj, projBias, stride, owned);
    }

    private static LogMelSpectrogram logMel(Path dir, int mels) {
        Path pre = dir.resolve("preprocessor_config.json");
        if (Files.isRegularFile(pre)) {
            try {
                JsonNode c = new ObjectMapper().readTree(pre.toFile());
                if (c.path("feature_size").asInt(mels) != mels) {
                    throw new ModelFormatException(pre + " has feature_size " + c.path("feature_size").asInt()
                            + " but the encoder takes " + mels + " mel bins");
                }
                return LogMelSpectrogram.fromConfig(c, mels);
            } catch (IOException e) {
                throw new ModelFormatException("cannot parse " + pre + ": " + e.getMessage(), e);
            }
        }
        return new LogMelSpectrogram(mels, 400, 160, 16000, 480000);
    }

    /** Whisper's sinusoidal positions: sin over the first half of the channels, cos over the second. */
    static float[] sinusoids(int length, int channels) {
        int half = channels / 2;
        double inc = Math.log(10000) / (half - 1);
        float[] out = new float[length * channels];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < half; i++) {
                double a = t * Math.exp(-inc * i);
                out[t * channels + i] = (float) Math.sin(a);
                out[t * channels + half + i] = (float) Math.cos(a);
            }
        }
        return out;
    }

    /** The log-mel front end matching this tower. */
    public LogMelSpectrogram features() {
        return features;
    }

    public int dim() {
        return dim;
    }

    public int poolStride() {
        return poolStride;
    }

    public boolean hasProjector() {
        return projector != null;
    }

    /** Encoder tokens for a log-mel input of {@code frames} frames. */
    public static int encodedLength(int frames) {
        return (frames - 1) / 2 + 1;
    }

    /** Runs the encoder on {@code logMel [mels][frames]}. */
    public TokenFeatures encode(float[] logMel, int frames) {
        if (frames <= 0 || logMel.length != mels * frames) {
            throw new IllegalArgumentException("log-mel input must be " + mels + " x " + frames + " floats, got "
                    + logMel.length);
        }
        int n = encodedLength(frames);
        if (n > maxPositions) {
            throw new IllegalArgumentException(frames + " frames give " + n + " audio tokens, more than the encoder's "
                    + maxPositions + " positions");
        }
        float[] cols = new float[frames * mels * 3];
        for (int t = 0; t < frames; t++) {
            for (int m = 0; m < mels; m++) {
                for (int k = 0; k < 3; k++) {
                    int src = t + k - 1;
                    cols[(t * mels + m) * 3 + k] = src < 0 || src >= frames ? 0f : logMel[m * frames + src];
                }
            }
        }
        float[] h1 = new float[frames * dim];
        conv1.matmul(cols, frames, h1);
        VectorMath.addBias(h1, conv1b, frames, dim);
        gelu(h1);
        float[] cols2 = new float[n * dim * 3];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < dim; c++) {
                for (int k = 0; k < 3; k++) {
                    int src = 2 * t + k - 1;
                    cols2[(t * dim + c) * 3 + k] = src < 0 || src >= frames ? 0f : h1[src * dim + c];
                }
            }
        }
        float[] x = new float[n * dim];
        conv2.matmul(cols2, n, x);
        VectorMath.addBias(x, conv2b, n, dim);
        gelu(x);
        for (int i = 0; i < n * dim; i++) {
            x[i] += positions[i];
        }
        int headDim = dim / heads;
        float[] xn = new float[n * dim];
        float[] q = new float[n * dim];
        float[] k = new float[n * dim];
        float[] v = new float[n * dim];
        float[] att = new float[n * dim];
        float[] proj = new float[n * dim];
        float[] mid = new float[n * ffn];
        for (Block b : blocks) {
            VectorMath.layerNorm(x, xn, b.ln1w, b.ln1b, n, dim, 1e-5f);
            b.q.matmul(xn, n, q);
            b.k.matmul(xn, n, k);
            b.v.matmul(xn, n, v);
            VectorMath.addBias(q, b.qb, n, dim);
            VectorMath.addBias(v, b.vb, n, dim);
            EncoderAttention.attend(q, k, v, n, heads, headDim, att);
            b.o.matmul(att, n, proj);
            VectorMath.addBias(proj, b.ob, n, dim);
            VectorMath.addInPlace(x, proj, n * dim);
            VectorMath.layerNorm(x, xn, b.ln2w, b.ln2b, n, dim, 1e-5f);
            b.fc1.matmul(xn, n, mid);
            VectorMath.addBias(mid, b.fc1b, n, ffn);
            gelu(mid);
            b.fc2.matmul(mid, n, proj);
            VectorMath.addBias(proj, b.fc2b, n, dim);
            VectorMath.addInPlace(x, proj, n * dim);
        }
        VectorMath.layerNorm(x, x, lnw, lnb, n, dim, 1e-5f);
        return new TokenFeatures(n, dim, x);
    }

    /** Pools the encoder output by {@link #poolStride()} and projects it to the text model's width. */
    public TokenFeatures project(TokenFeatures encoded) {
        if (projector == null) {
            throw new IllegalStateException("this checkpoint has no audio_projector weights");
        }
        int n = encoded.tokens() / poolStride;
        if (n == 0) {
            throw new IllegalArgumentException(encoded.tokens() + " audio tokens are fewer than the pool stride "
                    + poolStride);
        }
        float[] pooled = new float[n * dim];
        float[] src = encoded.data();
        for (int t = 0; t < n; t++) {
            for (int s = 0; s < poolStride; s++) {
                VectorMath.axpy(1f / poolStride, src, (t * poolStride + s) * dim, pooled, t * dim, dim);
            }
        }
        float[] out = new float[n * projector.rows];
        projector.matmul(pooled, n, out);
        if (projectorBias != null) {
            VectorMath.addBias(out, projectorBias, n, projector.rows);
        }
        return new TokenFeatures(n, projector.rows, out);
    }

    /** PCM (16 kHz mono, -1..1) of one window, without padding to 30 s, through log-mel, encoder and projector. */
    public TokenFeatures audioTokens(float[] pcm) {
        float[] mel = features.computeUnpadded(pcm);
        return project(encode(mel, mel.length / mels));
    }

    private void gelu(float[] x) {
        if (tanhGelu) {
            VectorMath.geluTanh(x, x.length);
        } else {
            VectorMath.geluErf(x, x.length);
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
