package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Rotary position settings of a text config, read from either layout transformers writes: 5.x nests everything in
 * {@code rope_parameters}; 4.x has {@code rope_theta} at the top and an optional {@code rope_scaling} object whose
 * kind is {@code rope_type} (or the older {@code type}).
 *
 * @param type          default, linear, dynamic, yarn or llama3
 * @param theta         the base
 * @param factor        scaling factor (1 for default)
 * @param originalMax   original_max_position_embeddings, or 0 when absent
 * @param extra         the raw parameters object, for the optional knobs of yarn and llama3
 */
public record RopeConfig(String type, double theta, double factor, int originalMax, double partialRotaryFactor,
                         JsonNode extra) {

    static RopeConfig parse(JsonNode text) {
        JsonNode params = text.path("rope_parameters");
        if (params.isObject() && params.has("rope_type") && !params.has("full_attention")) {
            return of(params, params.path("rope_theta").asDouble(text.path("rope_theta").asDouble(10000.0)), text);
        }
        double theta = text.path("rope_theta").asDouble(10000.0);
        JsonNode scaling = text.path("rope_scaling");
        if (scaling.isObject()) {
            return of(scaling, scaling.path("rope_theta").asDouble(theta), text);
        }
        if (params.isObject()) { // rope_parameters without a type: plain RoPE with its theta
            return of(params, params.path("rope_theta").asDouble(theta), text);
        }
        return new RopeConfig("default", theta, 1.0, 0, text.path("partial_rotary_factor").asDouble(1.0), null);
    }

    private static RopeConfig of(JsonNode p, double theta, JsonNode text) {
        String type = p.path("rope_type").asText(p.path("type").asText("default"));
        if (type.equals("su")) {
            type = "longrope";
        }
        switch (type) {
            case "default", "linear", "dynamic", "yarn", "llama3" -> { }
            default -> throw new ModelFormatException("unsupported RoPE type '" + type
                    + "' (supported: default, linear, dynamic, yarn, llama3)");
        }
        double factor = p.path("factor").asDouble(1.0);
        if (!type.equals("default") && !(factor > 0)) {
            throw new ModelFormatException("RoPE type '" + type + "' needs a positive factor, got " + p.path("factor"));
        }
        double partial = p.path("partial_rotary_factor").asDouble(text.path("partial_rotary_factor").asDouble(1.0));
        return new RopeConfig(type, theta, factor, p.path("original_max_position_embeddings").asInt(0), partial, p);
    }
}
