package dev.sightline.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime end to end on the real in-process KRaft broker with the real tiny decoder: token batches in, questions
 * in as plain JSON strings, answers, incidents and events read back as JSON strings ({@code read_committed}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingRuntimeTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();
    @TempDir
    static Path state;

    static final long BUDGET = 48 * 1024;
    static final TopicNames TOPICS = TopicNames.withPrefix("e2e.");
    static final String INCIDENTS = "e2e.incidents";
    static StreamingRuntime runtime;
    static KafkaIo io;
    static KafkaConsumer<String, String> answers;
    static final List<JsonNode> answersSeen = new ArrayList<>();
    static int dim;
    static SessionModel model;

    @BeforeAll
    static void start() throws Exception {
        RuntimeConfig config = RuntimeConfig.builder(BROKER.bootstrapServers(), state)
                .applicationId("e2e-runtime")
                .topics(TOPICS)
                .incidentsTopic(INCIDENTS)
                .poolBytes(256 * 1024)
                .pageBytes(1024)
                .defaults(SessionSettings.defaults().withBudget(BUDGET).withRecentWindow(16))
                .stream("huge-cam", SessionSettings.defaults().withBudget(4L << 20))
                .standingQuestion(new StandingQuestion("anyone", "cam-1", "Is a person in view?", 5_000_000,
                        10_000_000, 0.0))
                .checkpointInterval(Duration.ofSeconds(2))
                .backpressure(BackpressurePolicy.DROP_OLDEST, Duration.ofSeconds(60))
                .maxTokens(8, 64)
                .httpPort(0)
                .build();
        model = new FailingOnceModel(DecoderSessionModel.load(Fixtures.smolvlm()));
        runtime = StreamingRuntime.start(config, model);
        assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).as("runtime running").isTrue();
        dim = runtime.model().hiddenSize();
        io = new KafkaIo(BROKER.bootstrapServers());
        answers = io.reader(TOPICS.answers());
    }

    @AfterAll
    static void stop() {
        if (answers != null) {
            answers.close();
        }
        if (io != null) {
            io.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (model != null) {
            model.close();
        }
    }

    static SessionStatus status(String stream) {
        return runtime.sessions().stream().filter(s -> s.streamId().equals(stream)).findFirst().orElse(null);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static JsonNode answerTo(String queryId) throws Exception {
        KafkaIo.pollUntil(answers, answersSeen, l -> !KafkaIo.withField(l, "query_id", queryId).isEmpty(),
                Duration.ofSeconds(60));
        List<JsonNode> found = KafkaIo.withField(answersSeen, "query_id", queryId);
        assertThat(found).as("answers to " + queryId).hasSize(1);
        return found.getFirst();
    }

    @Test
    @Order(1)
    void answersAQuestionAboutALongStreamWithinItsBudget() throws Exception {
        // 120 frames at 2 fps: a minute of stream time, far more tokens than 48 KiB hold
        for (int f = 0; f < 120; f++) {
            io.batch(TOPICS.tokens(), Fixtures.videoBatch("cam-1", f, 12, dim, 2.0));
        }
        io.flush();
        await("120 frames prefilled", () -> status("cam-1") != null && status("cam-1").frames() == 120);

        io.json(TOPICS.queries(), "cam-1", """
                {"stream_id":"cam-1","query_id":"q-early","text":"What happened in the first seconds?",
                 "max_tokens":6}""");
        JsonNode a = answerTo("q-early");
        assertThat(a.path("error").isMissingNode()).as("no error: " + a).isTrue();
        assertThat(a.path("schema_version").asInt()).isEqualTo(1);
        assertThat(a.path("stream_id").asText()).isEqualTo("cam-1");
        assertThat(a.path("model_id").asText()).isEqualTo("smolvlm");
        assertThat(a.path("policy").asText()).isNotBlank();
        assertThat(a.has("text")).isTrue();
        JsonNode memory = a.path("memory");
        assertThat(memory.path("budget_bytes").asLong()).isEqualTo(BUDGET);
        assertThat(memory.path("bytes_kept").asLong()).isPositive().isLessThanOrEqualTo(BUDGET);
        assertThat(memory.path("tokens_kept").asLong()).isPositive().isLessThan(120 * 12);
        assertThat(memory.path("to_pts_micros").asLong()).isEqualTo(119 * 500_000L);
        assertThat(a.path("evidence")).isNotEmpty();
        for (JsonNode e : a.path("evidence")) {
            assertThat(e.path("weight").asDouble()).isBetween(0.0, 1.0);
        }
        JsonNode latency = a.path("latency");
        assertThat(latency.path("prefill_millis").asDouble()).isPositive();
        assertThat(latency.path("end_to_end_millis").asDouble()).isGreaterThanOrEqualTo(
                latency.path("prefill_millis").asDouble() * 0.5);

        SessionStatus s = status("cam-1");
        assertThat(s.peakBytes()).as("memory never over budget").isLessThanOrEqualTo(BUDGET);
        assertThat(s.compressions()).isPositive();

        // standing question: scored every 5 s of stream time, at most one incident per 10 s
        try (KafkaConsumer<String, String> incidents = io.reader(INCIDENTS)) {
            List<JsonNode> seen = KafkaIo.pollUntil(incidents, new ArrayList<>(), l -> l.size() >= 5,
                    Duration.ofSeconds(30));
            long previous = Long.MIN_VALUE;
            for (JsonNode i : seen) {
                assertThat(i.path("question_id").asText()).isEqualTo("anyone");
                long to = i.path("to_pts_micros").asLong();
                if (previous != Long.MIN_VALUE) {
                    assertThat(to - previous).as("cooldown").isGreaterThanOrEqualTo(10_000_000);
                }
                previous = to;
            }
        }
    }

    @Test
    @Order(2)
    void badInputGetsAClearErrorAndTheSessionGoesOn() throws Exception {
        io.json(TOPICS.queries(), "nope", "{\"stream_id\":\"nope\",\"query_id\":\"q-unknown\",\"text\":\"Hello?\"}");
        io.json(TOPICS.queries(), "cam-1", "{\"stream_id\":\"cam-1\",\"query_id\":");
        io.json(TOPICS.queries(), "cam-1", "{\"stream_id\":\"cam-1\",\"query_id\":\"q-empty\",\"text\":\"  \"}");
        io.json(TOPICS.queries(), "cam-1",
                "{\"stream_id\":\"cam-1\",\"query_id\":\"q-huge\",\"text\":\"Anything?\",\"max_tokens\":1000000}");
        io.batches.send(new ProducerRecord<>(TOPICS.tokens(), "cam-1", new byte[] {1, 2, 3}));
        io.batch(TOPICS.tokens(), Fixtures.videoBatch("cam-1", 120, 12, dim, 2.0));
        io.flush();
        io.json(TOPICS.queries(), "cam-1", "{\"stream_id\":\"cam-1\",\"query_id\":\"q-after\",\"text\":\"Still there?\"}");

        assertThat(answerTo("q-unknown").path("error").asText()).contains("unknown stream 'nope'");
        assertThat(answerTo("q-empty").path("error").asText()).contains("empty question");
        assertThat(answerTo("q-huge").path("error").asText()).contains("max_tokens 1000000").contains("1..64");
        List<JsonNode> malformed = new ArrayList<>();
        for (JsonNode n : answersSeen) {
            if (n.path("query_id").asText().startsWith("malformed@")) {
                malformed.add(n);
            }
        }
        assertThat(malformed).hasSize(1);
        assertThat(malformed.getFirst().path("error").asText()).contains("invalid JSON");
        assertThat(malformed.getFirst().path("stream_id").asText()).isEqualTo("cam-1");

        JsonNode after = answerTo("q-after");
        assertThat(after.path("error").isMissingNode()).as("session goes on: " + after).isTrue();
        assertThat(after.path("memory").path("to_pts_micros").asLong()).isEqualTo(120 * 500_000L);

        try (KafkaConsumer<String, String> errors = io.reader(TOPICS.errors())) {
            List<JsonNode> seen = KafkaIo.pollUntil(errors, new ArrayList<>(),
                    l -> l.stream().anyMatch(n -> n.path("reason").asText().contains("TokenBatch")),
                    Duration.ofSeconds(30));
            assertThat(seen).anyMatch(n -> n.path("source_topic").asText().equals(TOPICS.tokens()));
        }
    }

    @Test
    @Order(3)
    void refusesAStreamThatDoesNotFitThePoolWithAnEvent() throws Exception {
        io.batch(TOPICS.tokens(), Fixtures.videoBatch("huge-cam", 0, 12, dim, 2.0));
        io.flush();
        io.json(TOPICS.queries(), "huge-cam",
                "{\"stream_id\":\"huge-cam\",\"query_id\":\"q-huge-cam\",\"text\":\"What do you see?\"}");
        assertThat(answerTo("q-huge-cam").path("error").asText()).contains("admission refused");
        try (KafkaConsumer<String, String> events = io.reader(TOPICS.events())) {
            List<JsonNode> seen = KafkaIo.pollUntil(events, new ArrayList<>(),
                    l -> !KafkaIo.withField(l, "stream_id", "huge-cam").isEmpty(), Duration.ofSeconds(30));
            JsonNode refused = KafkaIo.withField(seen, "stream_id", "huge-cam").getFirst();
            assertThat(refused.path("state").asText()).isEqualTo("FAILED");
            assertThat(refused.path("message").asText()).contains("admission refused").contains("4194304");
        }
        assertThat(runtime.refusedStreams()).containsKey("huge-cam");
        assertThat(status("cam-1")).isNotNull();    // the others are unaffected
    }

    @Test
    @Order(4)
    void stalebatchesAreDroppedAndReportedAsAGap() throws Exception {
        long old = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        for (int f = 0; f < 5; f++) {
            byte[] bytes = dev.sightline.protocol.tokens.TokenBatchSerde.toBytes(
                    Fixtures.videoBatch("late-cam", f, 12, dim, 2.0));
            io.batches.send(new ProducerRecord<>(TOPICS.tokens(), null, old + f, "late-cam", bytes));
        }
        io.batch(TOPICS.tokens(), Fixtures.videoBatch("late-cam", 5, 12, dim, 2.0));
        io.flush();
        await("late-cam caught up", () -> status("late-cam") != null && status("late-cam").frames() == 1);
        assertThat(status("late-cam").droppedBatches()).isEqualTo(5);
        assertThat(status("late-cam").gaps()).isEqualTo(1);
        try (KafkaConsumer<String, String> events = io.reader(TOPICS.events())) {
            List<JsonNode> seen = KafkaIo.pollUntil(events, new ArrayList<>(),
                    l -> KafkaIo.withField(l, "stream_id", "late-cam").stream()
                            .anyMatch(n -> n.path("message").asText().startsWith("gap")), Duration.ofSeconds(30));
            JsonNode gap = KafkaIo.withField(seen, "stream_id", "late-cam").stream()
                    .filter(n -> n.path("message").asText().startsWith("gap")).findFirst().orElseThrow();
            assertThat(gap.path("message").asText()).contains("DROP_OLDEST skipped 5 batches (sequence 0..4");
            assertThat(gap.path("frames_dropped").asLong()).isEqualTo(5);
        }
    }

    @Test
    @Order(5)
    void anEngineFailureResetsOnlyThatStreamsSession() throws Exception {
        io.batch(TOPICS.tokens(), Fixtures.videoBatch("crash-cam", 0, 12, dim, 2.0));
        dev.sightline.protocol.tokens.TokenBatch poison = Fixtures.videoBatch("crash-cam", 1, 12, dim, 2.0);
        List<dev.sightline.protocol.tokens.Token> tokens = new ArrayList<>();
        for (var t : poison.tokens()) {
            tokens.add(new dev.sightline.protocol.tokens.Token(t.embedding(), t.patchRow(), t.patchCol(),
                    t.frameIndex(), FailingOnceModel.POISON_PTS, t.mergedSize()));
        }
        io.batch(TOPICS.tokens(), new dev.sightline.protocol.tokens.TokenBatch("crash-cam", 1, poison.ptsStartMicros(),
                poison.ptsEndMicros(), poison.modality(), 4, 4, 16, dim, tokens));
        io.batch(TOPICS.tokens(), Fixtures.videoBatch("crash-cam", 2, 12, dim, 2.0));
        long camFrames = status("cam-1").frames();
        io.batch(TOPICS.tokens(), Fixtures.videoBatch("cam-1", 121, 12, dim, 2.0));
        io.flush();
        await("crash-cam restarted with the next batch", () -> status("crash-cam") != null
                && status("crash-cam").frames() == 1 && status("crash-cam").lastPtsMicros() == 1_500_000);
        await("cam-1 unaffected", () -> status("cam-1").frames() == camFrames + 1);
        try (KafkaConsumer<String, String> errors = io.reader(TOPICS.errors())) {
            KafkaIo.pollUntil(errors, new ArrayList<>(), l -> l.stream().anyMatch(n ->
                    n.path("reason").asText().contains("injected engine failure")
                            && n.path("reason").asText().contains("session was reset")), Duration.ofSeconds(30));
        }
        io.json(TOPICS.queries(), "crash-cam",
                "{\"stream_id\":\"crash-cam\",\"query_id\":\"q-crash\",\"text\":\"Still there?\"}");
        assertThat(answerTo("q-crash").path("error").isMissingNode()).isTrue();
    }

    @Test
    @Order(6)
    void servesOpenAiChatCompletionsStreamsHealthAndMetrics() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + runtime.httpPort();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"cam-1","max_tokens":5,
                         "messages":[{"role":"system","content":"ignored"},{"role":"user","content":"What is there?"}]}
                        """)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = KafkaIo.JSON.readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("choices").get(0).path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(body.path("usage").path("completion_tokens").asInt()).isBetween(1, 5);
        assertThat(body.path("sightline").path("memory").path("bytes_kept").asLong()).isLessThanOrEqualTo(BUDGET);

        HttpResponse<String> sse = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"stream_id":"cam-1","stream":true,"max_tokens":4,
                         "messages":[{"role":"user","content":[{"type":"text","text":"Describe it."}]}]}
                        """)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<String> events = sse.body().lines().filter(l -> !l.isEmpty()).toList();
        assertThat(events).allMatch(l -> l.startsWith("data: "));
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        JsonNode last = KafkaIo.JSON.readTree(events.get(events.size() - 2).substring(6));
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isIn("stop", "length");

        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("unknown stream 'nope'");
        HttpResponse<String> malformed = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(malformed.statusCode()).isEqualTo(400);

        JsonNode streams = KafkaIo.JSON.readTree(get(http, base + "/v1/streams", 200));
        assertThat(streams.path("data").findValuesAsText("stream_id")).contains("cam-1", "late-cam");
        assertThat(streams.path("refused").has("huge-cam")).isTrue();
        get(http, base + "/health/live", 200);
        get(http, base + "/health/ready", 200);
        String metrics = get(http, base + "/metrics", 200);
        assertThat(metrics).contains("sightline_runtime_memory_used_bytes{stream=\"cam-1\"}")
                .contains("sightline_runtime_frames_total{stream=\"cam-1\"}")
                .contains("sightline_runtime_batches_dropped_total{stream=\"late-cam\"} 5.0")
                .contains("sightline_runtime_answer_latency_seconds_bucket")
                .contains("sightline_runtime_pool_reserved_bytes")
                .contains("kafka_consumer");
    }

    private static String get(HttpClient http, String url, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(status);
        return r.body();
    }
}
