package dev.sightline.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.sightline.protocol.Answer;
import dev.sightline.runtime.RuntimeConfig;
import dev.sightline.runtime.SessionStatus;
import dev.sightline.runtime.StreamingRuntime;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.bench.streamqa.Question;
import dev.sightline.tokenizer.StageSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.KafkaStreams;

/** The demo's steps past ingest: the tokenizer, the runtime, the scripted questions and their answers. */
final class DemoPipelineSteps {

    /**
     * The KV budget per stream when the user sets none: about a third of what the trained model's full cache needs
     * for the default 16 s clip (some 450 tokens of 3 KiB in F16), so memory is compressed within seconds and stays
     * capped however long the clip runs; the rest of the budget above the high watermark leaves room for a question
     * (kv-memory's overlay).
     */
    static final int DEMO_BUDGET_BYTES = 512 * 1024;
    /** Page size to go with it: 8 of the trained model's tokens per layer and KV head. */
    static final int DEMO_PAGE_BYTES = 1024;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(90);

    private DemoPipelineSteps() {
    }

    /** The tokenizer topology on the configured towers. */
    static final class StartTokenizer implements DemoStep {
        @Override
        public String title() {
            return "Tokenizer (Kafka Streams: frames + audio -> token batches)";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            String appId = demo.config.get(Settings.TOPICS_PREFIX) + "demo-tokenizer";
            demo.tokenizer = demo.closeLater(TokenizerApp.start(demo.config, demo.kafka.bootstrapServers(),
                    demo.workDir, appId));
            awaitRunning(demo.tokenizer.tokenizer.streams(), "tokenizer");
            demo.out.printf("  vision tower + decoder: %s%n  audio tower: %s%n  reduction stages: %s (%s=%s)%n",
                    demo.tokenizer.modelDir, demo.tokenizer.audioDir.equals(demo.tokenizer.modelDir) ? "the model's own"
                            : demo.tokenizer.audioDir,
                    TokenizerApp.stages(demo.config, demo.tokenizer.modelDir).equals(StageSettings.ALL_OFF) ? "off"
                            : "on", Settings.TOKENIZER_STAGES.key(), demo.config.get(Settings.TOKENIZER_STAGES));
            if (ModelFolders.isTinyRandom(demo.tokenizer.modelDir)) {
                demo.out.println("  " + ModelFolders.TINY_MODEL_NOTE);
            }
        }
    }

    /** The streaming runtime with a fixed KV budget and a policy; HTTP on a free port. */
    static final class StartRuntime implements DemoStep {
        @Override
        public String title() {
            return "Runtime (sessions under a fixed KV budget)";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            SightlineConfig cfg = demo.config;
            long budget = cfg.isSet(Settings.RUNTIME_BUDGET) ? cfg.get(Settings.RUNTIME_BUDGET) : DEMO_BUDGET_BYTES;
            int page = cfg.isSet(Settings.RUNTIME_PAGE_BYTES) ? cfg.get(Settings.RUNTIME_PAGE_BYTES) : DEMO_PAGE_BYTES;
            int port = cfg.isSet(Settings.RUNTIME_HTTP_PORT) ? cfg.get(Settings.RUNTIME_HTTP_PORT) : 0;
            // The demo's own group, not a deployed runtime's; the runtime leaves it when closed.
            String appId = cfg.get(Settings.TOPICS_PREFIX) + "demo-runtime";
            RuntimeConfig rc = RuntimeApp.config(cfg, demo.kafka.bootstrapServers(), demo.workDir, appId, budget, page,
                    port);
            demo.runtime = demo.closeLater(StreamingRuntime.start(rc));
            if (!demo.runtime.awaitRunning(START_TIMEOUT)) {
                throw new IllegalStateException("the runtime did not reach RUNNING within " + START_TIMEOUT.toSeconds()
                        + " s (state " + demo.runtime.state() + ")");
            }
            demo.out.printf("  budget %s per stream (%s), policy %s, %s pages of %d bytes, answers up to %d tokens%n",
                    bytes(budget), cfg.isSet(Settings.RUNTIME_BUDGET) ? "--budget" : "demo default; --budget to change",
                    rc.defaults().policy(), rc.defaults().format(), page, DemoQuestions.MAX_TOKENS);
            if (demo.runtime.httpPort() >= 0) {
                demo.out.printf("  HTTP: http://127.0.0.1:%d (POST /v1/chat/completions, GET /v1/streams, "
                        + "/health/ready, /metrics)%n", demo.runtime.httpPort());
            }
        }
    }

    /** Waits until the runtime has taken in the whole clip, then asks the end-of-stream questions. */
    static final class AskQuestions implements DemoStep {
        @Override
        public String title() {
            return "Questions (JSON on the queries topic)";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            long expectedFrames = demo.ingestStats.framesSent();
            long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
            long lastBatches = -1;
            long stableSince = System.nanoTime();
            while (true) {
                SessionStatus s = demo.session().orElse(null);
                long batches = s == null ? -1 : s.batches();
                if (batches != lastBatches) {
                    lastBatches = batches;
                    stableSince = System.nanoTime();
                }
                // every frame prefilled, or (a frame may lose all its tokens upstream) nothing new for 3 s
                boolean caughtUp = s != null && (s.frames() >= expectedFrames
                        || (System.nanoTime() - stableSince > 3e9
                            && demo.tokenizer.metrics().framesIn() >= expectedFrames));
                if (caughtUp) {
                    demo.out.printf("  runtime caught up: %s%n", RuntimeCommand.line(s));
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the runtime did not take in the clip within "
                            + CATCH_UP_TIMEOUT.toSeconds() + " s (" + (s == null ? "no session for " + demo.streamId
                            : RuntimeCommand.line(s)) + "; tokenizer: " + demo.tokenizer.summary() + ")");
                }
                Thread.sleep(100);
            }
            for (Question q : demo.clip.questions()) {
                DemoQuestions.Asked a = DemoQuestions.ask(demo, q.text(), q.answer(), false);
                demo.out.printf("  %s (%s, about second %d): \"%s\"%n", a.queryId(), q.family().label(), q.needle(),
                        a.text());
            }
        }
    }

    /** Reads the answers back and shows them with their latencies and memory figures; checks the contract. */
    static final class ShowAnswers implements DemoStep {
        @Override
        public String title() {
            return "Answers (read back from the answers topic)";
        }

        @Override
        public void run(DemoContext demo) {
            DemoQuestions.collect(demo, ANSWER_TIMEOUT);
            if (ModelFolders.isTinyRandom(demo.runtime.config().modelDir())) {
                demo.out.println("  (" + ModelFolders.TINY_MODEL_NOTE + ")");
            }
            for (DemoQuestions.Asked q : demo.asked) {
                List<Answer> got = demo.answers.getOrDefault(q.queryId(), List.of());
                demo.out.printf("  %s%s: \"%s\"%n", q.queryId(), q.whileLive() ? " (asked live)" : "", q.text());
                if (got.size() != 1) {
                    demo.failures.add(q.queryId() + " got " + got.size() + " answers, expected exactly 1");
                    demo.out.printf("    -> %d answers%n", got.size());
                    continue;
                }
                Answer a = got.getFirst();
                if (a.failed()) {
                    demo.failures.add(q.queryId() + " got an error answer: " + a.error());
                    demo.out.printf("    -> error: %s%n", a.error());
                    continue;
                }
                demo.out.printf("    -> \"%s\"%s%n", oneLine(a.text()), q.expected() == null ? ""
                        : DemoQuestions.isRight(a, q.expected()) ? "  right" : "  wrong, it was \"" + q.expected() + "\"");
                Answer.Latency l = a.latency();
                if (l != null) {
                    demo.out.printf("       latency: end to end %.0f ms (queued %.0f, question prefill %.0f, "
                            + "decode %.0f)%n", l.endToEndMillis(), l.queueMillis(), l.prefillMillis(),
                            l.decodeMillis());
                }
                Answer.Memory m = a.memory();
                if (m == null) {
                    demo.failures.add(q.queryId() + ": answer has no memory figures");
                    continue;
                }
                demo.out.printf("       memory: %d tokens, %s of %s budget kept, covering %.1f-%.1f s of the "
                                + "stream; policy %s; %d evidence frame(s)%s%n", m.tokensKept(), bytes(m.bytesKept()),
                        bytes(m.budgetBytes()), m.fromPtsMicros() / 1e6, m.toPtsMicros() / 1e6, a.policy(),
                        a.evidence().size(), a.evidence().isEmpty() ? ""
                                : String.format(Locale.ROOT, " (top: frame %d at %.1f s, weight %.2f)",
                                a.evidence().getFirst().frameSequence(), a.evidence().getFirst().ptsMicros() / 1e6,
                                a.evidence().getFirst().weight()));
                if (m.bytesKept() > m.budgetBytes()) {
                    demo.failures.add(q.queryId() + ": " + m.bytesKept() + " bytes kept, over the budget of "
                            + m.budgetBytes());
                }
            }
            String score = demo.scoreLine();
            if (!score.isEmpty()) {
                demo.out.printf("  score:%s%n", score);
            }
            demo.session().ifPresent(s -> {
                demo.out.printf("  session: %s%n", RuntimeCommand.line(s));
                if (s.peakBytes() > s.budgetBytes()) {
                    demo.failures.add("the session's memory peaked at " + s.peakBytes() + " bytes, over its budget of "
                            + s.budgetBytes());
                }
            });
        }
    }

    /**
     * The runtime's HTTP API, as an OpenAI client or a monitoring system would use it: readiness, one question
     * through {@code POST /v1/chat/completions} (answered from the same session, not written to Kafka), the stream
     * list and the Prometheus metrics of the stream's memory.
     */
    static final class AskOverHttp implements DemoStep {
        static final String QUESTION = DemoQuestions.WHILE_LIVE;

        @Override
        public String title() {
            return "HTTP API";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            int port = demo.runtime.httpPort();
            if (port < 0) {
                demo.out.println("  HTTP is off (runtime.http-port=-1); skipped");
                return;
            }
            String base = "http://127.0.0.1:" + port;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> ready = get(http, base + "/health/ready");
                demo.out.printf("  GET /health/ready -> %d %s%n", ready.statusCode(), ready.body().strip());
                if (ready.statusCode() != 200) {
                    demo.failures.add("/health/ready answered " + ready.statusCode() + ": " + ready.body().strip());
                }
                var body = JSON.createObjectNode().put("model", demo.streamId)
                        .put("max_tokens", DemoQuestions.MAX_TOKENS);
                body.putArray("messages").addObject().put("role", "user").put("content", QUESTION);
                HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                                .timeout(ANSWER_TIMEOUT).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                demo.out.printf("  POST /v1/chat/completions {\"model\": \"%s\", ... \"%s\"} -> %d%n", demo.streamId,
                        QUESTION, chat.statusCode());
                if (chat.statusCode() != 200) {
                    demo.failures.add("/v1/chat/completions answered " + chat.statusCode() + ": " + chat.body());
                } else {
                    JsonNode reply = JSON.readTree(chat.body());
                    JsonNode memory = reply.path("sightline").path("memory");
                    String truth = demo.clip.answerTo(QUESTION);
                    demo.out.printf("    -> \"%s\"%s (%s tokens; memory %s of %s kept)%n",
                            oneLine(reply.path("choices").path(0).path("message").path("content").asText()),
                            truth == null ? "" : " (the scene's last frame shows: " + truth + ")",
                            reply.path("usage").path("completion_tokens").asText("?"),
                            bytes(memory.path("bytes_kept").asLong()), bytes(memory.path("budget_bytes").asLong()));
                    if (memory.path("bytes_kept").asLong() > memory.path("budget_bytes").asLong()) {
                        demo.failures.add("HTTP answer: bytes kept over the budget: " + memory);
                    }
                }
                HttpResponse<String> streams = get(http, base + "/v1/streams");
                demo.out.printf("  GET /v1/streams -> %d, %d bytes of JSON%n", streams.statusCode(),
                        streams.body().length());
                HttpResponse<String> metrics = get(http, base + "/metrics");
                long series = metrics.body().lines().filter(l -> l.startsWith("sightline_runtime_memory")
                        && l.contains(demo.streamId)).count();
                demo.out.printf("  GET /metrics -> %d, %d memory series for the stream, e.g. %s%n",
                        metrics.statusCode(), series, metrics.body().lines()
                                .filter(l -> l.startsWith("sightline_runtime_memory_used") && l.contains(demo.streamId))
                                .findFirst().orElse("(none)"));
            }
        }

        private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Removes every member of consumer group {@code group}; a group already empty or gone is fine. */
    static void awaitRunning(KafkaStreams streams, String what) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the " + what + " did not reach RUNNING (state " + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    static String bytes(long n) {
        return n >= 1 << 20 && n % (1 << 20) == 0 ? (n >> 20) + " MiB"
                : n >= 1024 ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0) : n + " B";
    }

    private static String oneLine(String text) {
        String t = text.replaceAll("\\s+", " ").strip();
        return t.length() > 100 ? t.substring(0, 100) + "..." : t;
    }
}
