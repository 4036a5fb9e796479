package dev.sightline.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Text to token ids and back from a {@code tokenizer.json}, through Hugging Face's own tokenizers library (DJL's
 * JNI binding, whose native library ships in its jar; run with {@code -Dai.djl.offline=true}). Special tokens
 * written in the text (e.g. {@code <image>}) become their single ids; no BOS/EOS is added beyond what the
 * tokenizer's post-processor adds.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> addedTokens;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> addedTokens) {
        this.tokenizer = tokenizer;
        this.addedTokens = addedTokens;
    }

    public static TextTokenizer load(Path tokenizerJson) {
        Map<String, Integer> added = new HashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
            for (JsonNode t : root.path("added_tokens")) {
                added.put(t.path("content").asText(), t.path("id").asInt());
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot parse " + tokenizerJson + ": " + e.getMessage(), e);
        }
        Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, options), added);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}, as transformers' {@code tokenizer(text)["input_ids"]}. */
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, true, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, skipSpecialTokens);
    }

    /** The id of an added (special) token such as {@code <image>}, or -1 when the tokenizer has none. */
    public int tokenId(String addedToken) {
        return addedTokens.getOrDefault(addedToken, -1);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
