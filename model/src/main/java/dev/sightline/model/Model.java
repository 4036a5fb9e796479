package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.kv.DenseKvSequence;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model loaded from a Hugging Face folder: the text decoder, and for SmolVLM/Idefics3 checkpoints the vision tower
 * with its connector, plus an audio tower when the folder has one (see {@link AudioTower} for that layout), and the
 * tokenizer when {@code tokenizer.json} is present.
 *
 * <p>Supported architectures: LlamaForCausalLM, Qwen2ForCausalLM, SmolVLMForConditionalGeneration,
 * Idefics3ForConditionalGeneration (and a bare WhisperEncoder folder through {@link AudioTower#load}).
 */
public final class Model implements AutoCloseable {

    /** How to load: {@code quantizeQ8} turns the decoder's matrices into Q8_0 at load time. */
    public record Options(boolean quantizeQ8) {
        public static Options defaults() {
            return new Options(false);
        }
    }

    private final Checkpoint checkpoint;
    private final Arena arena;
    private final String architecture;
    private final TextDecoder decoder;
    private final VisionTower vision;
    private final AudioTower audio;
    private final TextTokenizer tokenizer;
    private final int imageTokenId;
    private final int audioTokenId;

    private Model(Checkpoint checkpoint, Arena arena, String architecture, TextDecoder decoder, VisionTower vision,
                  AudioTower audio, TextTokenizer tokenizer, int imageTokenId, int audioTokenId) {
        this.checkpoint = checkpoint;
        this.arena = arena;
        this.architecture = architecture;
        this.decoder = decoder;
        this.vision = vision;
        this.audio = audio;
        this.tokenizer = tokenizer;
        this.imageTokenId = imageTokenId;
        this.audioTokenId = audioTokenId;
    }

    public static Model load(Path dir) {
        return load(dir, Options.defaults());
    }

    public static Model load(Path dir, Options options) {
        Checkpoint cp = Checkpoint.open(dir);
        Arena arena = Arena.ofShared();
        try {
            JsonNode c = cp.config();
            String arch = architecture(c);
            TextDecoder decoder;
            VisionTower vision = null;
            int imageTokenId = -1;
            switch (arch) {
                case "LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM" -> {
                    TextConfig tc = TextConfig.parse(c, dir + "/config.json");
                    String prefix = cp.prefixOf("embed_tokens.weight", "model.", "");
                    if (prefix == null) {
                        throw new ModelFormatException("checkpoint " + dir + " is missing tensor 'model.embed_tokens.weight'");
                    }
                    decoder = TextDecoder.load(cp, tc, prefix, "lm_head.weight", options.quantizeQ8(), arena);
                }
                case "SmolVLMForConditionalGeneration", "Idefics3ForConditionalGeneration" -> {
                    TextConfig tc = TextConfig.parse(c.path("text_config"), dir + "/config.json text_config");
                    String prefix = cp.prefixOf("embed_tokens.weight", "model.text_model.", "model.language_model.",
                            "text_model.");
                    if (prefix == null) {
                        throw new ModelFormatException("checkpoint " + dir
                                + " is missing tensor 'model.text_model.embed_tokens.weight'");
                    }
                    decoder = TextDecoder.load(cp, tc, prefix, "lm_head.weight", options.quantizeQ8(), arena);
                    vision = VisionTower.load(cp, c, tc.hiddenSize(), arena);
                    if (!c.has("image_token_id")) {
                        throw new ModelFormatException(dir + "/config.json has no image_token_id");
                    }
                    imageTokenId = c.get("image_token_id").asInt();
                }
                default -> throw new ModelFormatException("unsupported architecture '" + arch + "' in " + dir
                        + "/config.json (supported: LlamaForCausalLM, Qwen2ForCausalLM, "
                        + "SmolVLMForConditionalGeneration, Idefics3ForConditionalGeneration)");
            }
            AudioTower audio = AudioTower.find(cp, decoder.hiddenSize(), arena);
            TextTokenizer tok = Files.isRegularFile(dir.resolve("tokenizer.json"))
                    ? TextTokenizer.load(dir.resolve("tokenizer.json")) : null;
            int audioTokenId = c.path("audio_token_id").asInt(-1);
            if (audio != null && audioTokenId < 0 && tok != null) {
                audioTokenId = tok.tokenId("<audio>");
            }
            return new Model(cp, arena, arch, decoder, vision, audio, tok, imageTokenId, audioTokenId);
        } catch (RuntimeException e) {
            arena.close();
            cp.close();
            throw e;
        }
    }

    static String architecture(JsonNode c) {
        JsonNode a = c.path("architectures");
        if (a.isArray() && !a.isEmpty()) {
            return a.get(0).asText();
        }
        return switch (c.path("model_type").asText("")) {
            case "llama" -> "LlamaForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "smolvlm" -> "SmolVLMForConditionalGeneration";
            case "idefics3" -> "Idefics3ForConditionalGeneration";
            default -> throw new ModelFormatException("config.json names no architecture and an unknown model_type '"
                    + c.path("model_type").asText("") + "'");
        };
    }

    public String architecture() {
        return architecture;
    }

    public TextDecoder decoder() {
        return decoder;
    }

    public Optional<VisionTower> vision() {
        return Optional.ofNullable(vision);
    }

    public Optional<AudioTower> audio() {
        return Optional.ofNullable(audio);
    }

    public Optional<TextTokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** The token id whose positions image features fill, or -1 for text-only models. */
    public int imageTokenId() {
        return imageTokenId;
    }

    /** The token id whose positions projected audio features fill ({@code audio_token_id}, else {@code <audio>}). */
    public int audioTokenId() {
        return audioTokenId;
    }

    /**
     * Input embeddings for {@code ids} with projected audio windows ({@link AudioTower#project}) placed, in order,
     * at the positions of the audio token, the way images fill image-token positions.
     */
    public float[] embedWithAudio(int[] ids, List<TokenFeatures> windows) {
        float[] emb = decoder.embed(ids);
        int h = decoder.hiddenSize();
        int slots = 0;
        for (int id : ids) {
            if (id == audioTokenId && audioTokenId >= 0) {
                slots++;
            }
        }
        int supplied = 0;
        for (TokenFeatures w : windows) {
            if (w.dim() != h) {
                throw new IllegalArgumentException("audio features of width " + w.dim() + " do not match the text"
                        + " model's hidden size " + h + " (project them first)");
            }
            supplied += w.tokens();
        }
        if (supplied != slots) {
            throw new IllegalArgumentException("audio windows hold " + supplied + " tokens but the input has " + slots
                    + " audio tokens (id " + audioTokenId + ")");
        }
        int pos = 0;
        for (TokenFeatures w : windows) {
            for (int t = 0; t < w.tokens(); t++) {
                while (ids[pos] != audioTokenId) {
                    pos++;
                }
                System.arraycopy(w.data(), t * h, emb, pos * h, h);
                pos++;
            }
        }
        return emb;
    }

    /** A fresh exact KV store for this model's decoder. */
    public DenseKvSequence newDenseSequence() {
        return new DenseKvSequence(decoder.geometry());
    }

    /**
     * Input embeddings for {@code ids} with each image's connector output placed, in order, at the positions of
     * the image token: transformers' merge. {@code images} holds one preprocessed {@code [3][H][W]} image each.
     */
    public float[] embedWithImages(int[] ids, List<float[]> images) {
        float[] emb = decoder.embed(ids);
        int slots = 0;
        for (int id : ids) {
            if (id == imageTokenId && imageTokenId >= 0) {
                slots++;
            }
        }
        if (images.isEmpty()) {
            if (slots > 0 && vision != null) {
                throw new IllegalArgumentException("the input has " + slots + " image tokens but no pixel values");
            }
            return emb;
        }
        if (vision == null) {
            throw new IllegalArgumentException("this " + architecture + " model takes no images");
        }
        int perImage = vision.tokensPerImage();
        if (slots != perImage * images.size()) {
            throw new IllegalArgumentException("pixel values hold " + images.size() + " images of " + perImage
                    + " tokens each (" + perImage * images.size() + ") but the input has " + slots
                    + " image tokens (id " + imageTokenId + ")");
        }
        int h = decoder.hiddenSize();
        int pos = 0;
        for (float[] image : images) {
            PatchGrid features = vision.connect(vision.encode(image));
            int used = 0;
            while (used < perImage) {
                if (ids[pos] == imageTokenId) {
                    System.arraycopy(features.data(), used * h, emb, pos * h, h);
                    used++;
                }
                pos++;
            }
        }
        return emb;
    }

    /**
     * Transformers' logits for a whole input at once: {@code [T][vocab]} for {@code ids} with images filling the
     * image-token positions, computed with a fresh exact KV store.
     */
    public float[] logits(int[] ids, List<float[]> images) {
        float[] emb = embedWithImages(ids, images);
        try (KvSequence kv = newDenseSequence()) {
            return decoder.forward(emb, textTokens(0, ids.length), kv, TextDecoder.Logits.ALL);
        }
    }

    /** Plain text token descriptions for positions [start, start+n). */
    public static List<TokenInfo> textTokens(long start, int n) {
        List<TokenInfo> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(TokenInfo.text(start + i));
        }
        return list;
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        arena.close();
        checkpoint.close();
    }
}
