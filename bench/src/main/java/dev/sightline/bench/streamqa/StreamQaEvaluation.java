package dev.sightline.bench.streamqa;

import dev.sightline.kv.DenseKvSequence;
import dev.sightline.kv.KvBudgetExceededException;
import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.model.ComputeThreads;
import dev.sightline.model.Model;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code sightline eval}: StreamQA's evaluation streams through the deployed path (ingest's JPEG frames, the
 * tokenizer topology with its stages off or on, a kv-memory store with the asked policy, budget and page format,
 * the decoder) for every configuration of the grid, against the full cache.
 *
 * <p>Work is split so the grid is affordable: each stream is tokenized once per stage setting (towers and stage
 * decisions do not depend on the KV store) and shared by every configuration; configurations then run in parallel,
 * one per thread, each thread with its own model copy and KV pool.
 *
 * <p>Budgets given as fractions are of the <b>F16 full cache's bytes</b> for the stream length (measured: the paged
 * F16 store under the {@code full} policy, once the stages-off stream is in), so Q8 and 4-bit pages keep more tokens
 * at the same bytes. A budget bounds the stream's memory: it compresses when it reaches the budget, down to 80% of
 * it. The session's hard limit is the budget plus a room for what arrives on top of a full memory: a question's
 * overlay (the most it took over the full cache; the overlay is F16 in every format) or one second of stream in F16,
 * whichever is larger. KV bytes at peak are reported as measured, room included.
 */
public final class StreamQaEvaluation {

    /** Pages of 1,280 bytes: one KIVI4 group of 32 tokens of a 32-dim head, 10 F16 or 17 Q8 tokens. */
    static final int PAGE_BYTES = 1280;
    /** The references' budget: more than any evaluated stream needs. */
    static final long UNBOUNDED = 48L << 20;
    /** The low watermark, as a share of the high one. */
    static final double LOW_SHARE = 0.8;
    /** The newest tokens never evicted, at most (the runtime's default), and at most half the low watermark. */
    static final int RECENT_WINDOW = 32;

    /** Everything one run measured. */
    public record Run(EvalOptions options, List<EvalResult> results, Map<Integer, Long> fullCacheBytes,
                      Map<Integer, Long> roomBytes, double seconds, String command) {

        /** Results of one stream length. */
        public List<EvalResult> ofLength(int frames) {
            return results.stream().filter(r -> r.config().frames() == frames).toList();
        }
    }

    private final EvalOptions options;
    private final PrintStream log;
    private final ConcurrentLinkedQueue<Worker> workers = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Worker> worker = ThreadLocal.withInitial(this::newWorker);

    private StreamQaEvaluation(EvalOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Runs the whole evaluation {@code options} describe; progress goes to {@code log}. */
    public static Run run(EvalOptions options, String command, PrintStream log) {
        return new StreamQaEvaluation(options, log).run(command);
    }

    /** One thread's own model (the towers and decoder), stream maker, session player and KV pool. */
    private static final class Worker implements AutoCloseable {
        final Model model;
        final EvalStreams streams;
        final EvalSession session;
        final KvPool pool;

        Worker(EvalOptions o) {
            model = Model.load(o.model());
            try {
                streams = new EvalStreams(model, o.model(), o.jpegQuality());
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            session = new EvalSession(model);
            pool = KvPool.allocate(UNBOUNDED + (8L << 20), PAGE_BYTES);
        }

        @Override
        public void close() {
            streams.close();
            pool.close();
            model.close();
        }
    }

    private Worker newWorker() {
        Worker w = new Worker(options);
        workers.add(w);
        return w;
    }

    private Run run(String command) {
        long t0 = System.nanoTime();
        int cores = Runtime.getRuntime().availableProcessors();
        ComputeThreads.setThreads(Math.max(1, cores / options.threads()));
        ComputeThreads.setDecodeThreads(Math.max(1, cores / options.threads()));
        ExecutorService pool = Executors.newFixedThreadPool(options.threads());
        try {
            List<EvalResult> results = new ArrayList<>();
            Map<Integer, Long> full = new LinkedHashMap<>();
            Map<Integer, Long> rooms = new LinkedHashMap<>();
            evaluateLength(pool, options.frames(), options.streams(), options.formats(), options.stages(), results,
                    full, rooms);
            if (options.longStreams() > 0) {
                evaluateLength(pool, options.frames() * options.longFactor(), options.longStreams(),
                        options.longFormats(), options.longStages(), results, full, rooms);
            }
            return new Run(options, List.copyOf(results), full, rooms, (System.nanoTime() - t0) / 1e9, command);
        } finally {
            // wait for the other configurations to stop before their models and pools are freed under them
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Worker w : workers) {
                w.close();
            }
        }
    }

    private void evaluateLength(ExecutorService pool, int frames, int count, List<PageFormat> formats,
                                List<Boolean> stages, List<EvalResult> results, Map<Integer, Long> full,
                                Map<Integer, Long> rooms) {
        long t0 = System.nanoTime();
        // 1. the streams, once per stage setting (stages off always: the full cache's bytes are measured on it)
        List<Boolean> settings = new ArrayList<>(List.of(false));
        if (stages.contains(true)) {
            settings.add(true);
        }
        Map<Boolean, List<EvalStream>> streams = new LinkedHashMap<>();
        for (boolean s : settings) {
            List<Future<EvalStream>> made = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                made.add(pool.submit(() -> worker.get().streams.make(index, frames, s)));
            }
            streams.put(s, join(made));
        }
        log.printf("streamqa eval: %d streams of %d s tokenized (stages %s) in %.1f s%n", count, frames,
                settings.contains(true) ? "off and on" : "off", (System.nanoTime() - t0) / 1e9);

        // warm up every thread's JIT on the first streams, so the first configurations' latencies are not compile
        // time (results dropped)
        if (frames == options.frames()) {
            List<Future<EvalResult>> warm = new ArrayList<>();
            for (int t = 0; t < options.threads(); t++) {
                warm.add(pool.submit(() -> runConfig(new EvalConfig(EvalConfig.FULL, null, PageFormat.F16, false,
                        frames), streams.get(false).subList(0, Math.min(2, count)), UNBOUNDED, 0, 0)));
            }
            join(warm);
        }

        // 2. the references: no stream (the floor), the dense full cache, and the paged full cache in every format
        //    (unbounded)
        List<EvalConfig> refs = new ArrayList<>();
        refs.add(new EvalConfig(EvalConfig.NO_STREAM, null, PageFormat.F16, false, frames));
        for (boolean s : stages) {
            if (frames == options.frames()) {
                // the dense store's attention is plain loops over the heap: at training length only
                refs.add(new EvalConfig(EvalConfig.DENSE, null, PageFormat.F16, s, frames));
            }
            for (PageFormat f : formats) {
                refs.add(new EvalConfig(EvalConfig.FULL, null, f, s, frames));
            }
        }
        // the stages-off F16 full cache is always a reference: the budgets are fractions of its bytes, and the
        // tables compare with it when no dense store ran (longer streams, or stages on only)
        EvalConfig measure = new EvalConfig(EvalConfig.FULL, null, PageFormat.F16, false, frames);
        if (!refs.contains(measure)) {
            refs.add(measure);
        }
        List<Future<EvalResult>> refRuns = new ArrayList<>();
        for (EvalConfig c : refs) {
            refRuns.add(pool.submit(() -> runConfig(c, streams.get(c.stages()), UNBOUNDED, 0, 0)));
        }
        List<EvalResult> refResults = join(refRuns);
        for (EvalResult r : refResults) {
            if (r.refusedStreams() > 0) {
                // a reference that was refused would score near 0% and make every fraction of it wrong
                throw new IllegalStateException(String.format("the %s reference of %d s streams needs more than the "
                        + "evaluation's %d MiB of KV memory (%s); evaluate shorter streams", r.config().slug(),
                        frames, UNBOUNDED >> 20, r.refusal()));
            }
        }
        // every stages-off stream of one length has the same tokens, so the F16 full cache is one size
        EvalResult f16 = refResults.get(refs.indexOf(measure));
        long fullBytes = Math.round(f16.bytesAfterStream());
        // the room on top of the budget: for a question (the most its overlay added to the full cache; the overlay
        // is F16 in any format) or for one second of stream arriving on a full memory, whichever is larger
        long room = roomOverBudget(f16, fullBytes);
        full.put(frames, fullBytes);
        rooms.put(frames, room);
        for (EvalResult r : refResults) {
            results.add(withFull(r, fullBytes));
        }
        log.printf("streamqa eval: %d s full cache %d bytes (F16, mean over streams), room over the budget %d bytes; "
                + "no stream %.1f%%, full cache %.1f%%%n", frames, fullBytes, room, 100 * refResults.get(0).accuracy(),
                100 * f16.accuracy());

        // 3. the grid, longest-running first so the threads finish together
        List<EvalConfig> grid = new ArrayList<>();
        for (boolean s : stages) {
            for (PageFormat f : formats) {
                for (EvalBudget b : options.budgets()) {
                    for (String p : options.policies()) {
                        grid.add(new EvalConfig(p, b, f, s, frames));
                    }
                }
            }
        }
        List<Future<EvalResult>> runs = new ArrayList<>();
        int[] done = {0};
        for (EvalConfig c : grid) {
            long budget = c.budget().bytesOf(fullBytes);
            runs.add(pool.submit(() -> {
                EvalResult r = runConfig(c, streams.get(c.stages()), budget, room, fullBytes);
                synchronized (done) {
                    done[0]++;
                    log.printf("streamqa eval: [%d/%d] %s: %s (%.1f s)%n", done[0], grid.size(), c.slug(),
                            r.ran() ? String.format("%.1f%%", 100 * r.accuracy()) + (r.refusedStreams() > 0
                                    ? ", " + r.refusedStreams() + " streams refused" : "") : "not run: " + r.notRun(),
                            r.seconds());
                }
                return r;
            }));
        }
        results.addAll(join(runs));
        log.printf("streamqa eval: %d s streams done in %.1f s%n", frames, (System.nanoTime() - t0) / 1e9);
    }

    private static long roomOverBudget(EvalResult fullF16, long fullBytes) {
        long room = Math.max(0, fullF16.peakBytes() - fullBytes);
        double[] t = fullF16.timeline();
        for (int s = 1; s < t.length; s++) {
            room = Math.max(room, Math.round(t[s] - t[s - 1]));
        }
        return room;
    }

    /** The reference {@code r} with the full cache's bytes, known once the references have run. */
    private static EvalResult withFull(EvalResult r, long fullBytes) {
        return new EvalResult(r.config(), r.streams(), r.budgetBytes(), r.roomBytes(), fullBytes, r.answers(),
                r.refusedStreams(), r.refusedQuestions(), r.refusal(), r.notRun(), r.peakBytes(), r.bytesAfterStream(),
                r.timeline(), r.tokensIn(), r.tokensKept(), r.tokensPerHead(), r.compressions(), r.sourceTokens(), r.stageTokens(),
                r.prefillNanos(), r.answerNanos(), r.seconds(), r.peakRssBytes());
    }

    /** Runs one configuration over its streams on the calling thread. */
    private EvalResult runConfig(EvalConfig c, List<EvalStream> streams, long budget, long room, long fullBytes) {
        Worker w = worker.get();
        long t0 = System.nanoTime();
        Supplier<KvSequence> store;
        if (c.policy().equals(EvalConfig.NO_STREAM)) {
            // the same questions with nothing seen: what the model answers from the question alone
            streams = streams.stream().map(s -> new EvalStream(s.index(), s.frames(), s.stages(), s.questions(),
                    List.of(), 0, 0)).toList();
            store = () -> new DenseKvSequence(w.model.decoder().geometry());
        } else if (c.policy().equals(EvalConfig.DENSE)) {
            store = () -> new DenseKvSequence(w.model.decoder().geometry());
        } else if (c.reference()) {
            KvMemoryConfig kv = KvMemoryConfig.builder(UNBOUNDED).format(c.format()).policy(EvalConfig.FULL)
                    .dialogueTokens(0).build();
            store = () -> PagedKvSequence.open(w.pool, w.model.decoder().geometry(), kv);
        } else {
            KvMemoryConfig kv;
            try {
                // the high watermark is the budget, in tokens per head for this page format; the low one 80% of
                // that, in tokens, so page granularity cannot make the two equal in a small budget
                int high;
                try (PagedKvSequence probe = PagedKvSequence.open(w.pool, w.model.decoder().geometry(),
                        KvMemoryConfig.builder(budget + room).format(c.format()).policy(c.policy())
                                .watermarkBytes(budget, 0).dialogueTokens(0).build())) {
                    high = probe.highWatermarkTokens();
                }
                int low = (int) Math.floor(LOW_SHARE * high);
                kv = KvMemoryConfig.builder(budget + room).format(c.format()).policy(c.policy())
                        .watermarkTokens(high, low).recentWindow(Math.min(RECENT_WINDOW, low / 2)).dialogueTokens(0)
                        .build();
            } catch (IllegalArgumentException | KvBudgetExceededException e) {
                return EvalResult.notRun(c, budget, room, fullBytes, e.getMessage());
            }
            KvMemoryConfig config = kv;
            store = () -> PagedKvSequence.open(w.pool, w.model.decoder().geometry(), config);
        }
        List<EvalSession.Outcome> outcomes = new ArrayList<>(streams.size());
        for (EvalStream s : streams) {
            outcomes.add(w.session.run(s, store));
        }
        return EvalResult.of(c, c.reference() ? 0 : budget, c.reference() ? 0 : room, fullBytes, streams, outcomes,
                (System.nanoTime() - t0) / 1e9);
    }

    private static <T> List<T> join(List<Future<T>> futures) {
        List<T> out = new ArrayList<>(futures.size());
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("evaluation interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return out;
    }
}
