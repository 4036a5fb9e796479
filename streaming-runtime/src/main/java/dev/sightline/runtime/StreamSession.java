package dev.sightline.runtime;

import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.KvStats;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.protocol.Answer;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One stream's session: the decoder's view of everything seen on that stream, held in a kv-memory sequence under a
 * fixed byte budget. Batches are prefilled as they come, laid out as the model family's prompt ({@link PromptLayout}:
 * each frame after its "Frame from mm:ss:" line, so the model can say <em>when</em>); kv-memory compresses at its
 * watermark. Questions are answered in an overlay that is dropped
 * afterwards (or, in multi-turn mode, a bounded dialogue turn), so asking never changes what the memory holds.
 *
 * <p>Not thread-safe by itself: the stream thread and HTTP threads take {@link #lock()} around every use.
 */
final class StreamSession implements AutoCloseable {
    /** Frames named as evidence in an answer. */
    static final int EVIDENCE_FRAMES = 3;

    private final String streamId;
    private final SessionModel model;
    private final PromptLayout layout;
    private final SessionSettings settings;
    private final PagedKvSequence memory;
    private final ReentrantLock lock = new ReentrantLock();
    private final SessionCounters counters;
    private volatile SessionStatus status;

    private StreamSession(String streamId, SessionModel model, SessionSettings settings, PagedKvSequence memory,
                          SessionCounters counters) {
        this.streamId = streamId;
        this.model = model;
        this.layout = PromptLayout.of(model);
        this.settings = settings;
        this.memory = memory;
        this.counters = counters;
        refreshStatus();
    }

    /**
     * Opens a new session: reserves the budget in the pool (refused with {@code KvBudgetExceededException} when it
     * does not fit) and prefills the prompt's opening (the optional system prompt, then the user turn that holds the
     * stream) as pinned tokens.
     */
    static StreamSession open(String streamId, SessionModel model, KvPool pool, SessionSettings settings,
                              String systemPrompt) {
        PagedKvSequence memory = PagedKvSequence.open(pool, model.geometry(), settings.toKvConfig());
        try {
            int[] ids = PromptLayout.of(model).opening(systemPrompt);
            if (ids.length > 0) {
                List<TokenInfo> infos = new ArrayList<>(ids.length);
                for (int i = 0; i < ids.length; i++) {
                    infos.add(TokenInfo.pinnedText(i));
                }
                model.prefill(model.embed(ids), infos, memory);
            }
            return new StreamSession(streamId, model, settings, memory, new SessionCounters());
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /** Restores a session from a checkpoint written by {@link #writeSnapshot}. */
    static StreamSession restore(String streamId, SessionModel model, KvPool pool, SessionSettings settings,
                                 InputStream snapshot, SessionCounters counters) throws IOException {
        PagedKvSequence memory = PagedKvSequence.restore(pool, snapshot);
        if (!memory.geometry().equals(model.geometry())) {
            memory.close();
            throw new IOException("checkpoint of stream " + streamId + " has KV geometry " + memory.geometry()
                    + ", the model has " + model.geometry());
        }
        return new StreamSession(streamId, model, settings, memory, counters);
    }

    String streamId() {
        return streamId;
    }

    SessionSettings settings() {
        return settings;
    }

    ReentrantLock lock() {
        return lock;
    }

    SessionCounters counters() {
        return counters;
    }

    /** The latest figures, readable from any thread without the lock. */
    SessionStatus status() {
        return status;
    }

    /**
     * Prefills one batch at the memory's next positions: the layout's text before it (for a frame, its
     * "Frame from mm:ss:" line and opening image tokens), the batch's tokens, the layout's text after it. An empty
     * batch (everything was redundant upstream) only advances the stream clock.
     */
    void prefill(TokenBatch batch) {
        if (batch.dim() != model.hiddenSize()) {
            throw new IllegalArgumentException("token batch " + batch.sequence() + " of stream " + streamId
                    + " has embeddings of width " + batch.dim() + "; the model's hidden size is " + model.hiddenSize());
        }
        if (batch.tokens().isEmpty()) {
            count(batch);
            refreshStatus();
            return;
        }
        BatchPrompt block = BatchPrompt.of(batch, layout.beforeBatch(batch), layout.afterBatch(batch),
                model.hiddenSize(), model::embed, memory.nextPosition());
        long start = System.nanoTime();
        model.prefill(block.embeddings(), block.tokens(), memory);    // refused whole (budget) before anything is stored
        counters.prefillNanos += System.nanoTime() - start;
        counters.tokensIn += batch.tokens().size();
        count(batch);
        refreshStatus();
    }

    /** Counts a batch that made it into the memory. */
    private void count(TokenBatch batch) {
        counters.batches++;
        counters.sourceTokens += batch.sourceTokens();
        counters.lastPtsMicros = Math.max(counters.lastPtsMicros, batch.ptsEndMicros());
        if (counters.firstPtsMicros < 0) {
            counters.firstPtsMicros = batch.ptsStartMicros();
        }
        if (batch.modality() == TokenModality.VIDEO) {
            counters.frames++;
        }
    }

    /** The outcome of one question. */
    record Reply(String text, int promptTokens, int generatedTokens, boolean hitLimit, List<Answer.Evidence> evidence,
                 long prefillNanos, long decodeNanos) {
    }

    /**
     * Answers {@code question} from the memory, in an overlay (or a dialogue turn in multi-turn mode) that leaves the
     * memory as it was. {@code onText} (may be null) receives the answer text piece by piece as it is generated.
     */
    Reply answer(String question, SessionModel.Decoding decoding, Consumer<String> onText) {
        // in multi-turn mode a question after an earlier answer opens a new user turn, as the chat template does
        boolean followUp = settings.multiTurn() && memory.stats().dialogueTokens() > 0;
        int[] prompt = followUp ? layout.followUp(question) : layout.question(question);
        long start = System.nanoTime();
        long[] firstToken = {0};
        List<Integer> ids = new ArrayList<>();
        String[] sent = {""};
        EvidenceRecorder recorder;
        int[] generated;
        try (KvSequence space = settings.multiTurn() ? memory.turn() : memory.overlay()) {
            recorder = new EvidenceRecorder(space, memory);
            generated = model.generate(recorder, prompt, decoding, id -> {
                if (firstToken[0] == 0) {
                    firstToken[0] = System.nanoTime();
                }
                ids.add(id);
                if (onText != null) {
                    String text = model.decode(ids.stream().mapToInt(Integer::intValue).toArray());
                    if (text.length() > sent[0].length() && text.startsWith(sent[0])) {
                        onText.accept(text.substring(sent[0].length()));
                        sent[0] = text;
                    }
                }
            });
        }
        long end = System.nanoTime();
        long prefill = (firstToken[0] == 0 ? end : firstToken[0]) - start;
        boolean stopped = generated.length > 0 && model.isStopToken(generated[generated.length - 1]);
        counters.questions++;
        refreshStatus();
        return new Reply(model.decode(generated).strip(), prompt.length, generated.length,
                !stopped && generated.length >= decoding.maxTokens(), recorder.topFrames(EVIDENCE_FRAMES),
                prefill, end - start - prefill);
    }

    /** Scores a yes/no question in an overlay: P(yes), with the frames it looked at. */
    record Score(double yes, List<Answer.Evidence> evidence) {
    }

    Score score(String question) {
        int[] prompt = layout.question(question.strip() + " Answer yes or no.");
        try (KvSequence overlay = memory.overlay()) {
            EvidenceRecorder recorder = new EvidenceRecorder(overlay, memory);
            double p = model.yesProbability(recorder, prompt);
            return new Score(p, recorder.topFrames(EVIDENCE_FRAMES));
        }
    }

    /** What the memory holds now, for answers. */
    Answer.Memory memoryFigures() {
        KvStats s = memory.stats();
        long from = Long.MAX_VALUE;
        long to = -1;
        for (TokenInfo t : memory.tokens()) {
            if (t.ptsMicros() >= 0) {
                from = Math.min(from, t.ptsMicros());
                to = Math.max(to, t.ptsMicros());
            }
        }
        return new Answer.Memory(s.tokens(), s.usedBytes(), s.budgetBytes(), to < 0 ? -1 : from, to);
    }

    KvStats stats() {
        return memory.stats();
    }

    String policy() {
        return memory.config().policy().name();
    }

    void writeSnapshot(OutputStream out) throws IOException {
        memory.writeSnapshot(out);
    }

    private void refreshStatus() {
        KvStats s = memory.stats();
        Answer.Memory m = memoryFigures();
        status = new SessionStatus(streamId, policy(), s.tokens(), s.usedBytes(), s.budgetBytes(), s.peakBytes(),
                m.fromPtsMicros(), m.toPtsMicros(), s.compressions(), s.compressionNanos(), counters.frames,
                counters.batches, counters.tokensIn, counters.sourceTokens, counters.dropped, counters.gaps,
                counters.questions, counters.lastPtsMicros, counters.prefillNanos);
    }

    /** Called after counters change outside the session (drops). */
    void touch() {
        refreshStatus();
    }

    @Override
    public void close() {
        memory.close();
    }
}
