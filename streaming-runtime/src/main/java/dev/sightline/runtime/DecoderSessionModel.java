package dev.sightline.runtime;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.model.Generator;
import dev.sightline.model.Model;
import dev.sightline.model.TextDecoder;
import dev.sightline.model.TextTokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * {@link SessionModel} over Sightline's pure-Java decoder ({@code dev.sightline.model}): a Hugging Face folder with
 * {@code config.json}, safetensors and {@code tokenizer.json} (Llama, Qwen2, SmolVLM, Idefics3 text models).
 */
public final class DecoderSessionModel implements SessionModel {
    private final Model model;
    private final TextDecoder decoder;
    private final TextTokenizer tokenizer;
    private final Generator generator;
    private final Set<Integer> stopTokens;
    private final String modelId;
    private final int bos;
    private final boolean addsBos;
    private final int yesId;
    private final int noId;

    private DecoderSessionModel(Model model, String modelId) {
        this.model = model;
        this.decoder = model.decoder();
        this.tokenizer = model.tokenizer().orElseThrow(() -> new IllegalArgumentException("model " + modelId
                + " has no tokenizer.json; the runtime needs one to read questions"));
        this.generator = new Generator(decoder);
        this.stopTokens = generator.defaultStopTokens();
        this.modelId = modelId;
        this.bos = decoder.config().bosTokenId();
        int[] probe = tokenizer.encode("a");
        this.addsBos = probe.length > 1 && probe[0] == bos;
        this.yesId = firstToken(" yes");
        this.noId = firstToken(" no");
    }

    /** Loads the model in {@code dir}; its id in answers is the folder's name. */
    public static DecoderSessionModel load(Path dir) {
        return new DecoderSessionModel(Model.load(dir), dir.toAbsolutePath().normalize().getFileName().toString());
    }

    private int firstToken(String word) {
        int[] ids = encode(word);
        if (ids.length == 0) {
            throw new IllegalArgumentException("tokenizer of " + modelId + " cannot encode '" + word + "'");
        }
        return ids[0];
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public KvGeometry geometry() {
        return decoder.geometry();
    }

    @Override
    public int hiddenSize() {
        return decoder.hiddenSize();
    }

    /**
     * Without a BOS that the tokenizer's post-processor adds: runtime text is always a continuation of the session's
     * sequence. A BOS written in the text stays (SmolVLM's BOS is {@code <|im_start|>}, which opens the chat turn).
     */
    @Override
    public int[] encode(String text) {
        int[] ids = tokenizer.encode(text);
        return addsBos && ids.length > 0 && ids[0] == bos ? Arrays.copyOfRange(ids, 1, ids.length) : ids;
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    @Override
    public float[] embed(int[] ids) {
        return decoder.embed(ids);
    }

    @Override
    public void prefill(float[] embeddings, List<TokenInfo> tokens, KvSequence kv) {
        decoder.forward(embeddings, tokens, kv, TextDecoder.Logits.NONE);
    }

    @Override
    public int[] generate(KvSequence kv, int[] promptIds, Decoding d, IntConsumer onToken) {
        Generator.Options options = new Generator.Options(d.maxTokens(), d.temperature(), d.topP(), d.seed(),
                stopTokens);
        return generator.generate(kv, promptIds, options, onToken);
    }

    @Override
    public double yesProbability(KvSequence kv, int[] promptIds) {
        float[] logits = decoder.forward(decoder.embed(promptIds), Model.textTokens(kv.nextPosition(), promptIds.length),
                kv, TextDecoder.Logits.LAST);
        double yes = logits[yesId];
        double no = logits[noId];
        return 1.0 / (1.0 + Math.exp(no - yes));
    }

    @Override
    public boolean isStopToken(int id) {
        return stopTokens.contains(id);
    }

    @Override
    public void close() {
        model.close();
    }
}
