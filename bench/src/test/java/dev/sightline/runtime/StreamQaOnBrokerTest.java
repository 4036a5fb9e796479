package dev.sightline.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.bench.streamqa.Question;
import dev.sightline.bench.streamqa.Questions;
import dev.sightline.bench.streamqa.Scene;
import dev.sightline.bench.streamqa.StreamQaGenerator;
import dev.sightline.bench.streamqa.StreamQaSpec;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.testing.KafkaTestBroker;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.tokenizer.StageSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7's end-to-end test on the real (in-process KRaft) broker with the trained StreamQA checkpoint: evaluation
 * streams twice as long as the model's training streams (32 s) go through the tokenizer's topology (stages off, the
 * checkpoint's towers as encoders), are produced to the tokens topic as fast as the broker takes them (an
 * accelerated stream), prefilled by the running {@link StreamingRuntime} into kv-memory under a budget of about a
 * sixth of the stream's full cache, and asked, as plain JSON queries, about events in the stream's first quarter.
 * The memory must never exceed its budget, no batch may be dropped, every question is answered once, and colour
 * recall must be well above chance.
 *
 * <p>Why 2x and not longer: the committed checkpoint (run 12) holds 8-16 s of content per training stream, and
 * questions about the first quarter of a 64 s stream are still hard for it. At 32 s in 512 KiB it recalls 22/38
 * colours (run 6: 16/38); at 64 s in 512 KiB (about a tenth of that stream's full cache) 9/27 (run 6 recalled
 * 2/27 at 64 s even with a full cache), too close to this test's floor to be a stable check; with a full cache it answers 67.7% of all questions on 30
 * streams of 64 s (training/streamqa/README.md). {@code -Dstreamqa.frames=64} measures them.
 */
class StreamQaOnBrokerTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();
    @TempDir
    static Path state;

    static final Path MODEL = Path.of("..", "training", "streamqa", "model");
    static final TopicNames TOPICS = TopicNames.withPrefix("streamqa.");
    static final int STREAMS = 12;
    static final int FRAMES = Integer.getInteger("streamqa.frames", 2 * 16);
    static final int COLOUR_RECALL = 4;
    /** A 32 s stream's full F16 cache is about 950 tokens of 3 KiB (6 layers), 2.8 MB; a 64 s stream's twice that. */
    static final long BUDGET = Long.getLong("streamqa.budget", 512 * 1024);
    /** The kv-memory policy ({@code -Dstreamqa.policy=...} to measure another). */
    static final String POLICY = System.getProperty("streamqa.policy", "infinipot-v");
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Questions about the first quarter of the stream: up to {@link #COLOUR_RECALL} "what colour was the X at mm:ss?"
     * spread over it (chance 1 in 8), then the first early question of each other family.
     */
    static List<Question> earlyQuestions(Scene scene) {
        int quarter = scene.frames() / 4;
        List<Question> out = new ArrayList<>();
        Map<Question.Family, List<Question>> all = Questions.all(scene);
        List<Question> colours = all.get(Question.Family.RECALL).stream()
                .filter(q -> q.needle() < quarter && isColourRecall(q)).toList();
        for (int k = 0; k < Math.min(COLOUR_RECALL, colours.size()); k++) {
            out.add(colours.get(k * colours.size() / Math.min(COLOUR_RECALL, colours.size())));
        }
        for (var e : all.entrySet()) {
            e.getValue().stream().filter(q -> q.needle() < quarter && !isColourRecall(q)).findFirst()
                    .ifPresent(out::add);
        }
        return out;
    }

    static boolean isColourRecall(Question q) {
        return q.family() == Question.Family.RECALL && q.text().startsWith("What colour was");
    }

    @Test
    void earlyEventsOfLongAcceleratedStreamsAreAnsweredOverKafkaWithinTheBudget() throws Exception {
        RuntimeConfig config = RuntimeConfig.builder(BROKER.bootstrapServers(), state)
                .applicationId("streamqa-runtime")
                .topics(TOPICS)
                .poolBytes(STREAMS * BUDGET)
                .pageBytes(2048)
                .defaults(SessionSettings.defaults().withBudget(BUDGET).withPolicy(POLICY).withRecentWindow(16))
                .systemPrompt("")        // the checkpoint was trained without a system turn
                .backpressure(BackpressurePolicy.DROP_OLDEST, Duration.ofSeconds(120))
                .maxTokens(2, 8)
                .httpPort(0)
                .build();
        Map<String, Question> asked = new LinkedHashMap<>();
        try (StreamQaStreams streams = new StreamQaStreams(MODEL);
             DecoderSessionModel model = DecoderSessionModel.load(MODEL);
             StreamingRuntime runtime = StreamingRuntime.start(config, model);
             KafkaProducer<String, byte[]> tokens = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
                     ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaTestBroker.MESSAGE_MAX_BYTES),
                     new StringSerializer(), new ByteArraySerializer());
             KafkaProducer<String, String> queries = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers()),
                     new StringSerializer(), new StringSerializer())) {
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).as("runtime running").isTrue();
            Map<String, Scene> scenes = new LinkedHashMap<>();
            for (int i = 0; i < STREAMS; i++) {
                String id = "qa-" + i;
                Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(i), FRAMES);
                scenes.put(id, scene);
                for (TokenBatch b : streams.batchesThroughTokenizer(id, scene, StageSettings.ALL_OFF)) {
                    tokens.send(new ProducerRecord<>(TOPICS.tokens(), id, TokenBatchSerde.toBytes(b)));
                }
            }
            tokens.flush();
            awaitAll("all batches prefilled", runtime, STREAMS, s -> s.batches() == 2L * FRAMES);

            for (var e : scenes.entrySet()) {
                int n = 0;
                for (Question q : earlyQuestions(e.getValue())) {
                    String queryId = e.getKey() + "-q" + n++;
                    ObjectNode query = JSON.createObjectNode().put("stream_id", e.getKey()).put("query_id", queryId)
                            .put("text", q.text()).put("max_tokens", 2);
                    queries.send(new ProducerRecord<>(TOPICS.queries(), e.getKey(), JSON.writeValueAsString(query)));
                    asked.put(queryId, q);
                }
            }
            queries.flush();

            Map<String, JsonNode> answers = readAnswers(asked.size());
            int right = 0;
            int[] colour = new int[2];
            Map<String, int[]> byFamily = new TreeMap<>();
            for (var e : asked.entrySet()) {
                JsonNode a = answers.get(e.getKey());
                assertThat(a).as("answer to " + e.getKey()).isNotNull();
                assertThat(a.path("error").isMissingNode()).as("no error: " + a).isTrue();
                JsonNode memory = a.path("memory");
                assertThat(memory.path("budget_bytes").asLong()).isEqualTo(BUDGET);
                assertThat(memory.path("bytes_kept").asLong()).isPositive().isLessThanOrEqualTo(BUDGET);
                boolean ok = a.path("text").asText().strip().equals(e.getValue().answer());
                right += ok ? 1 : 0;
                int[] f = byFamily.computeIfAbsent(e.getValue().family().label(), k -> new int[2]);
                f[0] += ok ? 1 : 0;
                f[1]++;
                if (isColourRecall(e.getValue())) {
                    colour[0] += ok ? 1 : 0;
                    colour[1]++;
                }
                System.out.println("  " + (ok ? "ok  " : "MISS") + " " + e.getKey() + " " + e.getValue().text()
                        + " -> " + a.path("text").asText() + " (truth " + e.getValue().answer() + ", second "
                        + e.getValue().needle() + ")");
            }
            double accuracy = right / (double) asked.size();
            StringBuilder line = new StringBuilder(String.format("StreamQA over Kafka, %d s streams, %s in %d KiB:"
                    + " %.3f over %d questions about the first quarter", FRAMES, POLICY, BUDGET / 1024, accuracy, asked.size()));
            byFamily.forEach((k, v) -> line.append(String.format("; %s %d/%d", k, v[0], v[1])));
            line.append(String.format("; colour recall %d/%d", colour[0], colour[1]));
            System.out.println(line);

            for (SessionStatus s : runtime.sessions()) {
                assertThat(s.peakBytes()).as("memory of %s never over budget", s.streamId())
                        .isLessThanOrEqualTo(BUDGET);
                assertThat(s.compressions()).as("compressions of %s", s.streamId()).isPositive();
                assertThat(s.droppedBatches()).as("batches of %s dropped", s.streamId()).isZero();
                assertThat(s.fromPtsMicros()).as("memory of %s spans the stream", s.streamId()).isLessThan(16_000_000L);
            }
            assertThat(colour[1]).isGreaterThanOrEqualTo(STREAMS * 2);
            assertThat(colour[0] / (double) colour[1]).as("colour recall, chance 1/8: " + line).isGreaterThan(0.25);
        }
    }

    static void awaitAll(String what, StreamingRuntime runtime, int sessions,
                         java.util.function.Predicate<SessionStatus> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (runtime.sessions().size() < sessions || !runtime.sessions().stream().allMatch(done)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + runtime.sessions());
            }
            Thread.sleep(100);
        }
    }

    /** Answers read as a plain {@code read_committed} client would, by query id. */
    static Map<String, JsonNode> readAnswers(int expected) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "streamqa-answers",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(TOPICS.answers()));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (out.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out with " + out.size() + " of " + expected + " answers");
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    JsonNode a = JSON.readTree(r.value());
                    assertThat(out.put(a.path("query_id").asText(), a)).as("answered once: " + a).isNull();
                }
            }
        }
        return out;
    }
}
