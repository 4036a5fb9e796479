package dev.sightline.bench.streamqa;

import dev.sightline.protocol.tokens.TokenBatch;

import java.util.List;

/**
 * One evaluation stream as the decoder receives it, computed once and shared by every KV configuration (the towers
 * and the tokenizer's stage decisions do not depend on the KV policy): its questions and the token batches the
 * tokenizer emitted for it, in order.
 *
 * @param index        the evaluation stream's index (seed {@link StreamQaSpec#evaluationSeed})
 * @param frames       its length in seconds
 * @param stages       whether the tokenizer's reduction stages were on
 * @param questions    the stream's evaluation questions
 * @param batches      the tokenizer's output, frame and audio batches
 * @param sourceTokens video and audio tokens the towers produced before any stage
 * @param keptTokens   video and audio tokens the tokenizer sent on (after its stages)
 */
public record EvalStream(int index, int frames, boolean stages, List<Question> questions, List<TokenBatch> batches,
                         long sourceTokens, long keptTokens) {

    public EvalStream {
        questions = List.copyOf(questions);
        batches = List.copyOf(batches);
    }
}
