package dev.sightline.bench.tokenizer;

import dev.sightline.model.DType;
import dev.sightline.model.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a small random SigLIP + connector checkpoint in SmolVLM's Hugging Face layout (vision side only): 224 px,
 * 16 px patches (14x14), hidden 192, 4 layers of 3 heads, MLP 768, pixel shuffle 2 to a 7x7 token grid of width
 * 256. Small enough for many frames per second on 2 cores, yet the model's real tower code runs it.
 */
final class SmallSiglip {
    private SmallSiglip() {
    }

    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        int h = 192, inter = 768, layers = 4, patch = 16, side = 14, scale = 2, text = 256;
        String p = "model.vision_model.";
        SafetensorsWriter w = new SafetensorsWriter();
        w.add(p + "embeddings.patch_embedding.weight", DType.BF16, new long[]{h, 3, patch, patch}, random(1, 0.05f));
        w.add(p + "embeddings.patch_embedding.bias", DType.BF16, new long[]{h}, random(2, 0.01f));
        w.add(p + "embeddings.position_embedding.weight", DType.BF16, new long[]{side * side, h}, random(3, 0.02f));
        for (int l = 0; l < layers; l++) {
            String b = p + "encoder.layers." + l + ".";
            for (String ln : new String[]{"layer_norm1", "layer_norm2"}) {
                w.add(b + ln + ".weight", DType.BF16, new long[]{h}, i -> 1f);
                w.add(b + ln + ".bias", DType.BF16, new long[]{h}, i -> 0f);
            }
            int k = 0;
            for (String m : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
                w.add(b + "self_attn." + m + ".weight", DType.BF16, new long[]{h, h}, random(l * 10 + k++, 0.05f));
                w.add(b + "self_attn." + m + ".bias", DType.BF16, new long[]{h}, i -> 0f);
            }
            w.add(b + "mlp.fc1.weight", DType.BF16, new long[]{inter, h}, random(l * 10 + 7, 0.05f));
            w.add(b + "mlp.fc1.bias", DType.BF16, new long[]{inter}, i -> 0f);
            w.add(b + "mlp.fc2.weight", DType.BF16, new long[]{h, inter}, random(l * 10 + 8, 0.03f));
            w.add(b + "mlp.fc2.bias", DType.BF16, new long[]{h}, i -> 0f);
        }
        w.add(p + "post_layernorm.weight", DType.BF16, new long[]{h}, i -> 1f);
        w.add(p + "post_layernorm.bias", DType.BF16, new long[]{h}, i -> 0f);
        w.add("model.connector.modality_projection.proj.weight", DType.BF16, new long[]{text, h * scale * scale},
                random(99, 0.03f));
        w.write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["SmolVLMForConditionalGeneration"], "model_type": "smolvlm", "scale_factor": 2,
                 "vision_config": {"hidden_size": 192, "intermediate_size": 768, "num_hidden_layers": 4,
                                   "num_attention_heads": 3, "image_size": 224, "patch_size": 16},
                 "text_config": {"model_type": "llama", "hidden_size": 256}}
                """);
        return dir;
    }

    private static SafetensorsWriter.Source random(long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        return i -> (r.nextFloat() * 2 - 1) * scale;
    }
}
