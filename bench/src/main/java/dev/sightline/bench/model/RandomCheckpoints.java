package dev.sightline.bench.model;

import dev.sightline.model.DType;
import dev.sightline.model.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes random BF16 checkpoints in Hugging Face layout with published models' shapes, so benchmarks measure real
 * sizes without downloading anything: SmolLM2-135M (the text model of SmolVLM2-256M) and SmolVLM2-256M's SigLIP
 * vision tower with its connector.
 */
public final class RandomCheckpoints {

    private RandomCheckpoints() {
    }

    /** SmolLM2-135M: hidden 576, 30 layers, 9 heads / 3 KV heads of 64, MLP 1536, vocab 49152, tied embeddings. */
    public static Path smolLm2(Path dir) throws IOException {
        return smolLm2(dir, 49152);
    }

    /**
     * SmolLM2-135M's decoder with another vocabulary size: benchmarks that compute no logits keep it small, so the
     * checkpoint is written faster and the embedding matrix does not dominate the file. Written once per folder.
     */
    public static Path smolLm2(Path dir, int vocab) throws IOException {
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            return dir;
        }
        Files.createDirectories(dir);
        int h = 576, inter = 1536, layers = 30, heads = 9, kv = 3, hd = 64;
        SafetensorsWriter w = new SafetensorsWriter();
        w.add("model.embed_tokens.weight", DType.BF16, new long[]{vocab, h}, random(1, 0.05f));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            w.add(p + "input_layernorm.weight", DType.BF16, new long[]{h}, i -> 1f);
            w.add(p + "post_attention_layernorm.weight", DType.BF16, new long[]{h}, i -> 1f);
            w.add(p + "self_attn.q_proj.weight", DType.BF16, new long[]{heads * hd, h}, random(l * 10 + 2, 0.04f));
            w.add(p + "self_attn.k_proj.weight", DType.BF16, new long[]{kv * hd, h}, random(l * 10 + 3, 0.04f));
            w.add(p + "self_attn.v_proj.weight", DType.BF16, new long[]{kv * hd, h}, random(l * 10 + 4, 0.04f));
            w.add(p + "self_attn.o_proj.weight", DType.BF16, new long[]{h, heads * hd}, random(l * 10 + 5, 0.04f));
            w.add(p + "mlp.gate_proj.weight", DType.BF16, new long[]{inter, h}, random(l * 10 + 6, 0.04f));
            w.add(p + "mlp.up_proj.weight", DType.BF16, new long[]{inter, h}, random(l * 10 + 7, 0.04f));
            w.add(p + "mlp.down_proj.weight", DType.BF16, new long[]{h, inter}, random(l * 10 + 8, 0.03f));
        }
        w.add("model.norm.weight", DType.BF16, new long[]{h}, i -> 1f);
        w.write(dir.resolve("model.safetensors"));
        Files.writeString(config, """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 576,
                 "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
                 "num_key_value_heads": 3, "head_dim": 64, "vocab_size": %d, "rms_norm_eps": 1e-5,
                 "max_position_embeddings": 8192, "rope_theta": 100000.0, "tie_word_embeddings": true,
                 "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2}
                """.formatted(vocab));
        return dir;
    }

    /**
     * SmolVLM2-256M's vision side: SigLIP-B/16 at 512 px (hidden 768, 12 layers, 12 heads, MLP 3072, 1024 patches),
     * pixel shuffle 4 and the projection to the text width 576. Only vision and connector weights are written.
     */
    static Path smolVlm2Vision(Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            return dir;
        }
        Files.createDirectories(dir);
        int h = 768, inter = 3072, layers = 12, patch = 16, side = 32, scale = 4, text = 576;
        String p = "model.vision_model.";
        SafetensorsWriter w = new SafetensorsWriter();
        w.add(p + "embeddings.patch_embedding.weight", DType.BF16, new long[]{h, 3, patch, patch}, random(1, 0.03f));
        w.add(p + "embeddings.patch_embedding.bias", DType.BF16, new long[]{h}, random(2, 0.01f));
        w.add(p + "embeddings.position_embedding.weight", DType.BF16, new long[]{side * side, h}, random(3, 0.02f));
        for (int l = 0; l < layers; l++) {
            String b = p + "encoder.layers." + l + ".";
            for (String ln : new String[]{"layer_norm1", "layer_norm2"}) {
                w.add(b + ln + ".weight", DType.BF16, new long[]{h}, i -> 1f);
                w.add(b + ln + ".bias", DType.BF16, new long[]{h}, i -> 0f);
            }
            for (String m : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
                w.add(b + "self_attn." + m + ".weight", DType.BF16, new long[]{h, h}, random(l * 10 + m.hashCode(), 0.03f));
                w.add(b + "self_attn." + m + ".bias", DType.BF16, new long[]{h}, i -> 0f);
            }
            w.add(b + "mlp.fc1.weight", DType.BF16, new long[]{inter, h}, random(l * 10 + 7, 0.03f));
            w.add(b + "mlp.fc1.bias", DType.BF16, new long[]{inter}, i -> 0f);
            w.add(b + "mlp.fc2.weight", DType.BF16, new long[]{h, inter}, random(l * 10 + 8, 0.02f));
            w.add(b + "mlp.fc2.bias", DType.BF16, new long[]{h}, i -> 0f);
        }
        w.add(p + "post_layernorm.weight", DType.BF16, new long[]{h}, i -> 1f);
        w.add(p + "post_layernorm.bias", DType.BF16, new long[]{h}, i -> 0f);
        w.add("model.connector.modality_projection.proj.weight", DType.BF16, new long[]{text, h * scale * scale},
                random(99, 0.01f));
        w.write(dir.resolve("model.safetensors"));
        Files.writeString(config, """
                {"architectures": ["SmolVLMForConditionalGeneration"], "model_type": "smolvlm", "scale_factor": 4,
                 "image_token_id": 49190,
                 "vision_config": {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                                   "num_attention_heads": 12, "image_size": 512, "patch_size": 16},
                 "text_config": {"model_type": "llama", "hidden_size": 576}}
                """);
        return dir;
    }

    private static SafetensorsWriter.Source random(long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        return i -> (r.nextFloat() * 2 - 1) * scale;
    }
}
