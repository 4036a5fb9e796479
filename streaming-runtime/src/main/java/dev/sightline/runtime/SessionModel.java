package dev.sightline.runtime;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * What a session needs from the model: read tokens into a {@link KvSequence} and answer from it. The runtime talks
 * to the decoder only through this, so the session logic does not depend on one engine's classes.
 * {@link DecoderSessionModel} is the implementation over Sightline's own pure-Java decoder.
 *
 * <p>Implementations must be safe to call from several threads at once on <em>different</em> KV sequences (each
 * session is driven by one thread at a time).
 */
public interface SessionModel extends AutoCloseable {

    /** Names the model in answers ({@code model_id}). */
    String modelId();

    /** The shape of the keys and values the decoder stores per token. */
    KvGeometry geometry();

    /** Width of the decoder's input embeddings; token batches must carry embeddings of this width. */
    int hiddenSize();

    /** Text to token ids (no special tokens added). */
    int[] encode(String text);

    /** Token ids to text, special tokens left out. */
    String decode(int[] ids);

    /** The embedding rows of {@code ids}, {@code [n][hiddenSize]}. */
    float[] embed(int[] ids);

    /** Runs {@code tokens.size()} inputs ({@code [n][hiddenSize]} embeddings) through the decoder into {@code kv}. */
    void prefill(float[] embeddings, List<TokenInfo> tokens, KvSequence kv);

    /**
     * Prefills {@code promptIds} at {@code kv}'s next positions and generates up to {@code maxTokens} tokens (stopping
     * early at the model's stop tokens), handing each to {@code onToken} as soon as it is chosen.
     */
    int[] generate(KvSequence kv, int[] promptIds, Decoding decoding, IntConsumer onToken);

    /**
     * A cheap yes/no score: prefills {@code promptIds} and compares the next-token logits of "yes" and "no". Returns
     * P(yes) in 0..1 from the two-way softmax. One forward pass, no generation.
     */
    double yesProbability(KvSequence kv, int[] promptIds);

    /** Whether {@code id} ends generation (end of sequence). */
    boolean isStopToken(int id);

    @Override
    void close();

    /**
     * Decoding settings for one answer.
     *
     * @param maxTokens   most tokens to generate
     * @param temperature 0 for greedy
     * @param topP        nucleus mass (1 = off)
     * @param seed        sampling seed
     */
    record Decoding(int maxTokens, float temperature, float topP, long seed) {
        public static Decoding greedy(int maxTokens) {
            return new Decoding(maxTokens, 0f, 1f, 0);
        }
    }
}
