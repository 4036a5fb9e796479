package dev.sightline.model;

import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Generation on top of a {@link KvSequence}: prefill the prompt (token embeddings, image features, anything) as one
 * block, then sample one token at a time, feeding each back, until a stop token or the token limit. Each new token
 * is handed to a callback as soon as it is chosen, so output can stream.
 */
public final class Generator {

    /**
     * @param maxTokens  most tokens to generate
     * @param stopTokens ids that end generation (the stop token is emitted and included, as transformers does)
     */
    public record Options(int maxTokens, float temperature, float topP, long seed, Set<Integer> stopTokens) {
        public Options {
            if (maxTokens < 0) {
                throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
            }
            stopTokens = Set.copyOf(stopTokens);
        }

        public static Options greedy(int maxTokens, Set<Integer> stopTokens) {
            return new Options(maxTokens, 0f, 1f, 0, stopTokens);
        }
    }

    private final TextDecoder decoder;

    public Generator(TextDecoder decoder) {
        this.decoder = decoder;
    }

    /** The decoder's own stop tokens ({@code eos_token_id} of its config). */
    public Set<Integer> defaultStopTokens() {
        Set<Integer> s = new java.util.HashSet<>();
        for (int id : decoder.config().eosTokenIds()) {
            s.add(id);
        }
        return s;
    }

    /**
     * Prefills {@code promptEmbeddings} ({@code [n][hidden]}, described by {@code promptTokens}) on top of
     * {@code kv}, then generates. Returns the generated ids; {@code onToken} sees each as it is chosen.
     */
    public int[] generate(KvSequence kv, float[] promptEmbeddings, List<TokenInfo> promptTokens, Options options,
                          IntConsumer onToken) {
        Sampler sampler = new Sampler(options.temperature(), options.topP(), options.seed());
        List<Integer> out = new ArrayList<>();
        if (options.maxTokens() == 0) {
            return new int[0];
        }
        float[] logits = decoder.forward(promptEmbeddings, promptTokens, kv, TextDecoder.Logits.LAST);
        while (true) {
            int next = sampler.next(logits);
            out.add(next);
            if (onToken != null) {
                onToken.accept(next);
            }
            if (options.stopTokens().contains(next) || out.size() >= options.maxTokens()) {
                break;
            }
            long pos = kv.nextPosition();
            logits = decoder.forward(decoder.embed(new int[]{next}), List.of(TokenInfo.text(pos)), kv,
                    TextDecoder.Logits.LAST);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Text-only convenience: prefill {@code promptIds} at the sequence's next positions, then generate. */
    public int[] generate(KvSequence kv, int[] promptIds, Options options, IntConsumer onToken) {
        return generate(kv, decoder.embed(promptIds), Model.textTokens(kv.nextPosition(), promptIds.length), options,
                onToken);
    }
}
