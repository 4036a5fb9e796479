package dev.sightline.bench.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.bench.model.RandomCheckpoints;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.testing.KafkaTestBroker;
import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.protocol.tokens.TokenModality;
import dev.sightline.runtime.BackpressurePolicy;
import dev.sightline.runtime.RuntimeConfig;
import dev.sightline.runtime.SessionSettings;
import dev.sightline.runtime.SessionStatus;
import dev.sightline.runtime.StreamingRuntime;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * {@code bench runtime}: the streaming runtime end to end on an in-process KRaft broker, one stream under a fixed KV
 * budget, run for an hour of stream time as fast as the box can go. For every minute of stream time it measures the
 * wall time per frame (produce, prefill, compress, commit); at the marked minutes it asks questions one at a time
 * over Kafka and measures the answer latency as a client sees it (query sent to answer read, read_committed). Both
 * must stay flat as the stream grows, because the memory does not.
 *
 * <pre>
 * java ... dev.sightline.bench.runtime.RuntimeBenchmark [--model DIR | --tiny | --smollm2] [--fps 1] [--tokens 32]
 *     [--minutes 60] [--marks 1,10,60] [--budget-kib 256] [--policy infinipot-v] [--questions 10] [--max-tokens 8]
 *     [--warmup-minutes 2] [--page-bytes 4096]
 * </pre>
 * {@code --smollm2} writes a random-weight checkpoint with SmolLM2-135M's shape (the text model of SmolVLM2-256M)
 * to {@code target/runtime-bench/} with the tiny fixture's tokenizer; {@code --tiny} uses the model module's tiny
 * SmolVLM fixture. Token embeddings are random, so the answers' text means nothing; the costs are real.
 */
public final class RuntimeBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TINY = Path.of("model/src/test/resources/fixtures/smolvlm");

    private RuntimeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i].substring(2);
            if (a.equals("tiny") || a.equals("smollm2")) {
                o.put("model-kind", a);
            } else {
                o.put(a, args[++i]);
            }
        }
        String kind = o.getOrDefault("model-kind", "tiny");
        Path model = o.containsKey("model") ? Path.of(o.get("model"))
                : kind.equals("smollm2") ? smolLm2(Path.of("target/runtime-bench/smollm2-135m-random")) : TINY;
        double fps = Double.parseDouble(o.getOrDefault("fps", "1"));
        int tokens = Integer.parseInt(o.getOrDefault("tokens", "32"));
        int minutes = Integer.parseInt(o.getOrDefault("minutes", "60"));
        Set<Integer> marks = new TreeSet<>();
        for (String m : o.getOrDefault("marks", "1,10,60").split(",")) {
            marks.add(Integer.parseInt(m.strip()));
        }
        long budget = Long.parseLong(o.getOrDefault("budget-kib", "256")) * 1024;
        String policy = o.getOrDefault("policy", "infinipot-v");
        int questions = Integer.parseInt(o.getOrDefault("questions", "10"));
        int maxTokens = Integer.parseInt(o.getOrDefault("max-tokens", "8"));
        int pageBytes = Integer.parseInt(o.getOrDefault("page-bytes", "4096"));
        int warmupMinutes = Integer.parseInt(o.getOrDefault("warmup-minutes", "2"));

        Path state = Files.createTempDirectory("runtime-bench");
        TopicNames topics = TopicNames.withPrefix("bench.");
        try (KafkaTestBroker broker = KafkaTestBroker.start();
             StreamingRuntime rt = StreamingRuntime.start(RuntimeConfig.builder(broker.bootstrapServers(), state)
                     .applicationId("runtime-bench").topics(topics).incidentsTopic("bench.incidents")
                     .modelDir(model).poolBytes(Math.max(8 * budget, 1 << 20)).pageBytes(pageBytes)
                     .defaults(SessionSettings.defaults().withBudget(budget).withPolicy(policy))
                     .backpressure(BackpressurePolicy.NONE, Duration.ofMinutes(5))
                     .checkpointInterval(Duration.ofSeconds(30))
                     .maxTokens(maxTokens, Math.max(maxTokens, 64)).httpPort(-1).build());
             KafkaProducer<String, byte[]> batches = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
             KafkaProducer<String, String> queries = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> answers = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ConsumerConfig.GROUP_ID_CONFIG, "bench-reader",
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                     new StringDeserializer(), new StringDeserializer())) {
            if (!rt.awaitRunning(Duration.ofSeconds(120))) {
                throw new IllegalStateException("runtime did not start: " + rt.state());
            }
            answers.subscribe(List.of(topics.answers()));
            int dim = hiddenSize(model);
            long framesPerMinute = Math.round(fps * 60);
            // warm-up on another stream (JIT, page pool, broker), so minute 1 of the measured stream is not startup
            for (long f = 0; f < warmupMinutes * framesPerMinute; f++) {
                batches.send(new ProducerRecord<>(topics.tokens(), "warmup",
                        TokenBatchSerde.toBytes(batch("warmup", f, tokens, dim, fps))));
            }
            batches.flush();
            long warm = warmupMinutes * framesPerMinute;
            waitFor(() -> warm == 0 || (status(rt, "warmup") != null && status(rt, "warmup").frames() >= warm));
            for (int q = 0; q < Math.min(questions, 5) && warm > 0; q++) {
                queries.send(new ProducerRecord<>(topics.queries(), "warmup", "{\"stream_id\":\"warmup\","
                        + "\"query_id\":\"w" + q + "\",\"text\":\"Warm up?\",\"max_tokens\":" + maxTokens + "}"));
                queries.flush();
                awaitAnswer(answers, "w" + q);
            }
            String stream = "bench-cam";
            long frame = 0;
            System.out.printf(Locale.ROOT, "model %s, %.2f fps, %d tokens/frame, budget %d KiB, policy %s, %d questions"
                    + " of %d tokens per mark%n", model.getFileName(), fps, tokens, budget / 1024, policy, questions,
                    maxTokens);
            System.out.println("Side by side at each mark: the long stream (m minutes old) and a fresh stream started"
                    + " one minute before, frames interleaved and questions alternated, so both see the same load.");
            System.out.println("| stream minute | prefill ms/frame long | fresh | ratio | answer p50 ms long | fresh"
                    + " | ratio | answer p95 ms long | fresh | KiB kept long (peak) | compressions |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            List<String> perMinute = new ArrayList<>();
            for (int minute = 1; minute <= minutes; minute++) {
                boolean mark = marks.contains(minute);
                String fresh = "fresh-" + minute;
                SessionStatus before = status(rt, stream);
                long start = System.nanoTime();
                for (long i = 0; i < framesPerMinute; i++, frame++) {
                    batches.send(new ProducerRecord<>(topics.tokens(), stream,
                            TokenBatchSerde.toBytes(batch(stream, frame, tokens, dim, fps))));
                    if (mark) {         // the fresh stream's first minute, in step with this one
                        batches.send(new ProducerRecord<>(topics.tokens(), fresh,
                                TokenBatchSerde.toBytes(batch(fresh, i, tokens, dim, fps))));
                    }
                }
                batches.flush();
                long target = frame;
                waitFor(() -> status(rt, stream) != null && status(rt, stream).frames() >= target
                        && (!mark || (status(rt, fresh) != null && status(rt, fresh).frames() >= framesPerMinute)));
                double wallPerFrame = (System.nanoTime() - start) / 1e6 / (framesPerMinute * (mark ? 2 : 1));
                perMinute.add(String.format(Locale.ROOT, "%.1f", wallPerFrame));
                if (!mark) {
                    continue;
                }
                SessionStatus after = status(rt, stream);
                SessionStatus freshStatus = status(rt, fresh);
                double longPrefill = (after.prefillNanos() - (before == null ? 0 : before.prefillNanos())) / 1e6
                        / framesPerMinute;
                double freshPrefill = freshStatus.prefillNanos() / 1e6 / framesPerMinute;
                double[] longE2e = new double[questions];
                double[] freshE2e = new double[questions];
                for (int q = 0; q < questions; q++) {
                    longE2e[q] = ask(queries, answers, topics, stream, "m" + minute + "-q" + q, maxTokens);
                    freshE2e[q] = ask(queries, answers, topics, fresh, "f" + minute + "-q" + q, maxTokens);
                }
                SessionStatus s = status(rt, stream);
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | %d (%d) | %d |%n",
                        minute, longPrefill, freshPrefill, longPrefill / freshPrefill, pct(longE2e, 50),
                        pct(freshE2e, 50), pct(longE2e, 50) / pct(freshE2e, 50), pct(longE2e, 95), pct(freshE2e, 95),
                        s.bytesKept() / 1024, s.peakBytes() / 1024, s.compressions());
            }
            System.out.println("wall ms per frame (produce to prefilled, Kafka included), every minute: "
                    + String.join(" ", perMinute));
        }
    }

    /** Asks one question over Kafka and waits for its answer: milliseconds from send to answer read. */
    private static double ask(KafkaProducer<String, String> queries, KafkaConsumer<String, String> answers,
                              TopicNames topics, String stream, String id, int maxTokens) throws Exception {
        long t0 = System.nanoTime();
        queries.send(new ProducerRecord<>(topics.queries(), stream, "{\"stream_id\":\"" + stream
                + "\",\"query_id\":\"" + id + "\",\"text\":\"What happened in the last minute?\","
                + "\"max_tokens\":" + maxTokens + "}"));
        queries.flush();
        JsonNode a = awaitAnswer(answers, id);
        if (a.has("error")) {
            throw new IllegalStateException("error answer: " + a);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static SessionStatus status(StreamingRuntime rt, String stream) {
        for (SessionStatus s : rt.sessions()) {
            if (s.streamId().equals(stream)) {
                return s;
            }
        }
        return null;
    }

    private interface Condition {
        boolean holds();
    }

    private static void waitFor(Condition c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(2);
        }
    }

    private static JsonNode awaitAnswer(KafkaConsumer<String, String> answers, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : answers.poll(Duration.ofMillis(5))) {
                JsonNode a = JSON.readTree(r.value());
                if (id.equals(a.path("query_id").asText())) {
                    return a;
                }
            }
        }
        throw new IllegalStateException("no answer to " + id);
    }

    private static double pct(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    private static TokenBatch batch(String stream, long seq, int n, int dim, double fps) {
        SplittableRandom r = new SplittableRandom(seq);
        long pts = (long) (seq * 1_000_000 / fps);
        List<Token> list = new ArrayList<>(n);
        int side = (int) Math.ceil(Math.sqrt(n));
        for (int i = 0; i < n; i++) {
            float[] e = new float[dim];
            for (int d = 0; d < dim; d++) {
                e[d] = (float) (r.nextGaussian() * 0.5);
            }
            list.add(new Token(e, i / side, i % side, seq, pts, 1));
        }
        return new TokenBatch(stream, seq, pts, pts + (long) (1_000_000 / fps), TokenModality.VIDEO, side, side, n,
                dim, list);
    }

    private static int hiddenSize(Path model) throws Exception {
        JsonNode c = JSON.readTree(model.resolve("config.json").toFile());
        JsonNode text = c.has("text_config") ? c.get("text_config") : c;
        return text.get("hidden_size").asInt();
    }


    /** A random BF16 checkpoint with SmolLM2-135M's shape, plus the tiny fixture's tokenizer (ids under 400). */
    static Path smolLm2(Path dir) throws Exception {
        boolean fresh = !Files.exists(dir.resolve("config.json"));
        RandomCheckpoints.smolLm2(dir);
        if (fresh || !Files.exists(dir.resolve("tokenizer.json"))) {
            Files.copy(TINY.resolve("tokenizer.json"), dir.resolve("tokenizer.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }
}
