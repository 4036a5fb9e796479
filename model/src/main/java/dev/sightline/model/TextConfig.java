package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a Llama-family text decoder (Llama, SmolLM2, Qwen2, and the text model inside SmolVLM/Idefics3), read
 * from a config.json object.
 */
public record TextConfig(String modelType, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                         int headDim, int vocabSize, float rmsNormEps, int maxPositions, boolean tieWordEmbeddings,
                         RopeConfig rope, int bosTokenId, int[] eosTokenIds) {

    static TextConfig parse(JsonNode c, String where) {
        String type = c.path("model_type").asText("llama");
        switch (type) {
            case "llama", "qwen2", "mistral", "smollm3" -> { }
            default -> throw new ModelFormatException(where + ": unsupported text model_type '" + type
                    + "' (supported: llama, qwen2)");
        }
        if (type.equals("qwen2") && c.path("use_sliding_window").asBoolean(false)) {
            throw new ModelFormatException(where + ": Qwen2 sliding-window attention is not supported");
        }
        int hidden = required(c, "hidden_size", where);
        int heads = required(c, "num_attention_heads", where);
        int kvHeads = c.path("num_key_value_heads").asInt(heads);
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(where + ": num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new ModelFormatException(where + ": unsupported hidden_act '" + act + "' (supported: silu)");
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(v -> eos.add(v.asInt()));
        } else if (e.isNumber()) {
            eos.add(e.asInt());
        }
        return new TextConfig(type, hidden, required(c, "intermediate_size", where),
                required(c, "num_hidden_layers", where), heads, kvHeads, headDim, required(c, "vocab_size", where),
                (float) c.path("rms_norm_eps").asDouble(1e-6), c.path("max_position_embeddings").asInt(2048),
                c.path("tie_word_embeddings").asBoolean(false), RopeConfig.parse(c),
                c.path("bos_token_id").asInt(-1), eos.stream().mapToInt(Integer::intValue).toArray());
    }

    static int required(JsonNode c, String key, String where) {
        JsonNode v = c.get(key);
        if (v == null || !v.isNumber() || v.asInt() <= 0) {
            throw new ModelFormatException(where + ": config needs a positive '" + key + "', got " + v);
        }
        return v.asInt();
    }
}
