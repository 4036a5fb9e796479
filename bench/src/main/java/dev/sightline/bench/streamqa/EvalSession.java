package dev.sightline.bench.streamqa;

import dev.sightline.kv.KvBudgetExceededException;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.model.FramePrompt;
import dev.sightline.model.Model;
import dev.sightline.model.TextDecoder;
import dev.sightline.model.TextTokenizer;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import dev.sightline.runtime.BatchPrompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Plays one tokenized stream into a KV store as the streaming runtime's session does (its prompt layout: the user
 * turn opened once as pinned text, each frame batch after its {@code "\nFrame from mm:ss:"} line between its
 * image-wrapping tokens, each audio batch bare; one decoder prefill per batch, so a budgeted store compresses
 * between batches as a live session's does), then asks the stream's questions, each in an overlay that leaves
 * the memory as it was, and takes the model's greedy first answer token. Figures are gathered on the way: bytes
 * after every second, peak bytes, tokens kept, prefill and answer times.
 */
public final class EvalSession {

    /** What one stream gave under one configuration. */
    public record Outcome(List<StreamQaRunner.Answer> answers, boolean refused, String refusal, long[] bytesPerSecond,
                   long peakBytes, long bytesAfterStream, int tokensIn, int tokensKept, double meanTokensPerHead,
                   long compressions, long[] prefillNanos, long[] answerNanos, int questionsRefused) {
    }

    private final Model model;
    private final TextDecoder decoder;
    private final TextTokenizer tokenizer;
    private final int bos;
    private final boolean addsBos;
    private final int[] opening;
    private final int[] closeImage;

    public EvalSession(Model model) {
        this.model = model;
        this.decoder = model.decoder();
        this.tokenizer = model.tokenizer().orElseThrow(() -> new IllegalArgumentException("the model has no "
                + "tokenizer.json"));
        this.bos = decoder.config().bosTokenId();
        int[] probe = tokenizer.encode("a");
        this.addsBos = probe.length > 1 && probe[0] == bos;
        this.opening = encode(StreamQaPrompt.PREFIX);
        this.closeImage = encode(FramePrompt.AROUND_IMAGE);
    }

    /** As the runtime encodes text: without a BOS the tokenizer's post-processor would add (text continues a turn). */
    private int[] encode(String text) {
        int[] ids = tokenizer.encode(text);
        return addsBos && ids.length > 0 && ids[0] == bos ? Arrays.copyOfRange(ids, 1, ids.length) : ids;
    }

    /** Runs {@code stream} into a store from {@code newStore} (closed here) and answers its questions. */
    public Outcome run(EvalStream stream, Supplier<KvSequence> newStore) {
        int seconds = stream.frames();
        long[] bytes = new long[seconds];
        List<Long> prefill = new ArrayList<>();
        long[] answerNanos = new long[stream.questions().size()];
        List<StreamQaRunner.Answer> answers = new ArrayList<>();
        try (KvSequence kv = newStore.get()) {
            int tokensIn = 0;
            try {
                List<TokenInfo> pinned = new ArrayList<>();
                for (int i = 0; i < opening.length; i++) {
                    pinned.add(TokenInfo.pinnedText(i));
                }
                decoder.forward(decoder.embed(opening), pinned, kv, TextDecoder.Logits.NONE);
                tokensIn += opening.length;
                for (TokenBatch batch : stream.batches()) {
                    int second = (int) Math.min(seconds - 1, batch.ptsStartMicros() / 1_000_000L);
                    if (!batch.tokens().isEmpty()) {
                        long t0 = System.nanoTime();
                        tokensIn += prefill(batch, kv);
                        prefill.add(System.nanoTime() - t0);
                    }
                    bytes[second] = Math.max(bytes[second], bytesHeld(kv));
                }
            } catch (KvBudgetExceededException e) {
                fillForward(bytes);
                for (Question q : stream.questions()) {
                    answers.add(new StreamQaRunner.Answer(q, "", false));
                }
                return new Outcome(answers, true, e.getMessage(), bytes, peak(kv), bytesHeld(kv), tokensIn, 0, 0,
                        compressions(kv), toArray(prefill), answerNanos, 0);
            }
            fillForward(bytes);
            long afterStream = bytesHeld(kv);
            int kept = kv instanceof PagedKvSequence p ? p.stats().tokens() : kv.size();
            double perHead = kv instanceof PagedKvSequence p ? p.stats().meanTokensPerHead() : kv.size();
            int qi = 0;
            int questionsRefused = 0;
            long questionPeak = 0;   // a dense store's peak with a question on top (a paged store counts its own)
            for (Question q : stream.questions()) {
                int[] ids = encode(StreamQaPrompt.question(q.text()));
                long t0 = System.nanoTime();
                String predicted;
                boolean correct;
                try (KvSequence overlay = kv.overlay()) {
                    float[] logits = decoder.forward(decoder.embed(ids), Model.textTokens(kv.nextPosition(),
                            ids.length), overlay, TextDecoder.Logits.LAST);
                    if (!(kv instanceof PagedKvSequence)) {
                        questionPeak = Math.max(questionPeak, denseBytes(overlay.size()));
                    }
                    int best = StreamQaRunner.argmax(logits);
                    predicted = tokenizer.decode(new int[] {best}, true).strip();
                    int[] expected = encode(" " + q.answer());
                    correct = expected.length > 0 && expected[0] == best;
                } catch (KvBudgetExceededException e) {
                    predicted = "";
                    questionsRefused++;
                    correct = false;   // no room left for the question: counted wrong, never skipped
                }
                answerNanos[qi++] = System.nanoTime() - t0;
                answers.add(new StreamQaRunner.Answer(q, predicted, correct));
            }
            long peak = Math.max(Math.max(peak(kv), afterStream), questionPeak);
            return new Outcome(answers, false, null, bytes, peak, afterStream, tokensIn, kept, perHead,
                    compressions(kv), toArray(prefill), answerNanos, questionsRefused);
        }
    }

    /** A second with no batch stored (all its tokens dropped upstream, or refused) holds what the one before held. */
    private static void fillForward(long[] bytes) {
        for (int s = 1; s < bytes.length; s++) {
            if (bytes[s] == 0) {
                bytes[s] = bytes[s - 1];
            }
        }
    }

    /** Prefills one batch in the runtime's layout ({@link BatchPrompt}); returns the tokens it added. */
    private int prefill(TokenBatch batch, KvSequence kv) {
        boolean video = batch.modality() == TokenModality.VIDEO;
        int[] before = video ? encode("\nFrame from " + FramePrompt.timestamp(batch.ptsStartMicros()) + ":"
                + FramePrompt.AROUND_IMAGE + FramePrompt.GLOBAL_IMAGE) : new int[0];
        int[] after = video ? closeImage : new int[0];
        BatchPrompt block = BatchPrompt.of(batch, before, after, decoder.hiddenSize(), decoder::embed,
                kv.nextPosition());
        decoder.forward(block.embeddings(), block.tokens(), kv, TextDecoder.Logits.NONE);
        return block.tokens().size();
    }

    /** Bytes the store holds now: a paged store's own count; a dense one's floats (keys and values, every layer). */
    private long bytesHeld(KvSequence kv) {
        if (kv instanceof PagedKvSequence p) {
            return p.stats().usedBytes();
        }
        return denseBytes(kv.size());
    }

    private long peak(KvSequence kv) {
        return kv instanceof PagedKvSequence p ? p.stats().peakBytes() : denseBytes(kv.size());
    }

    private long denseBytes(int tokens) {
        var g = decoder.geometry();
        return (long) tokens * g.layers() * g.kvDim() * 2L * Float.BYTES;
    }

    private static long compressions(KvSequence kv) {
        return kv instanceof PagedKvSequence p ? p.stats().compressions() : 0;
    }

    private static long[] toArray(List<Long> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
