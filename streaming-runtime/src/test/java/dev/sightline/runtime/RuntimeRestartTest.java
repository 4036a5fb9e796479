package dev.sightline.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the runtime process (SIGKILL, no shutdown hook, no final checkpoint) in the middle of a stream and starts it
 * again on the same state folder: every question is answered exactly once, and the restored session has applied every
 * batch exactly once (checkpoint + replay + new batches, nothing twice).
 */
class RuntimeRestartTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();
    @TempDir
    Path dir;

    static final String PREFIX = "rs.";
    static final TopicNames TOPICS = TopicNames.withPrefix(PREFIX);
    static final String STREAM = "cam-r";

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void answersResumeAfterAProcessKillWithNoneLostOrDuplicated() throws Exception {
        try (Admin admin = BROKER.admin()) {
            TopicSetup.ensureTopics(admin, TOPICS, TopicSettings.singleBroker());
        }
        int port = freePort();
        Path state = dir.resolve("state");
        int dim = 64;
        HttpClient http = HttpClient.newHttpClient();
        try (KafkaIo io = new KafkaIo(BROKER.bootstrapServers());
             KafkaConsumer<String, String> answers = io.reader(TOPICS.answers())) {
            List<JsonNode> seen = new ArrayList<>();
            Process first = startRuntime(state, port, dir.resolve("first.log"));
            try {
                awaitReady(http, port, first);
                produce(io, 0, 40, dim);
                KafkaIo.pollUntil(answers, seen, l -> l.size() >= 6, Duration.ofSeconds(90));
                Path manifest = state.resolve("sessions/restart-rt/p0/manifest.json");
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!Files.exists(manifest) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(manifest).as("a checkpoint was written before the kill").exists();
            } finally {
                first.destroyForcibly();          // SIGKILL: no shutdown hook, no final checkpoint
                first.waitFor(30, TimeUnit.SECONDS);
            }
            produce(io, 40, 80, dim);             // while the runtime is down
            Process second = startRuntime(state, port, dir.resolve("second.log"));
            try {
                awaitReady(http, port, second);
                KafkaIo.pollUntil(answers, seen, l -> distinctQueries(l).size() >= 20, Duration.ofSeconds(120));
                // keep reading a little: a duplicate would show up right behind
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < until) {
                    for (var r : answers.poll(Duration.ofMillis(200))) {
                        seen.add(KafkaIo.JSON.readTree(r.value()));
                    }
                }
                Map<String, Integer> counts = distinctQueries(seen);
                assertThat(counts).hasSize(20);
                assertThat(counts.values()).as("each question answered exactly once: " + counts).containsOnly(1);
                for (JsonNode a : seen) {
                    assertThat(a.path("error").isMissingNode()).as(a.toString()).isTrue();
                }
                JsonNode last = KafkaIo.withField(seen, "query_id", "q-19").getFirst();
                assertThat(last.path("memory").path("to_pts_micros").asLong()).isEqualTo(79 * 500_000L);

                JsonNode streams = KafkaIo.JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/v1/streams")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                JsonNode s = streams.path("data").get(0);
                assertThat(s.path("stream_id").asText()).isEqualTo(STREAM);
                assertThat(s.path("frames").asLong()).as("every batch applied exactly once").isEqualTo(80);
                assertThat(s.path("questions").asLong()).isGreaterThanOrEqualTo(1);
                assertThat(Files.readString(dir.resolve("second.log"))).contains("restored 1 sessions");
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Batches [from, to) at 2 fps with a question after every fourth. */
    private static void produce(KafkaIo io, int from, int to, int dim) {
        for (int f = from; f < to; f++) {
            io.batch(TOPICS.tokens(), Fixtures.videoBatch(STREAM, f, 12, dim, 2.0));
            if (f % 4 == 3) {
                io.flush();
                // Kafka Streams orders the tokens and queries partitions by record timestamp (milliseconds) and
                // leaves ties unordered: the question must be stamped strictly after the batches it follows.
                sleepPastThisMillisecond();
                io.json(TOPICS.queries(), STREAM, "{\"stream_id\":\"" + STREAM + "\",\"query_id\":\"q-" + (f / 4)
                        + "\",\"text\":\"What changed?\",\"max_tokens\":4}");
            }
        }
        io.flush();
    }

    private static void sleepPastThisMillisecond() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> distinctQueries(List<JsonNode> answers) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode a : answers) {
            counts.merge(a.path("query_id").asText(), 1, Integer::sum);
        }
        return counts;
    }

    private Process startRuntime(Path state, int port, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "-Xmx512m", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp", System.getProperty("java.class.path"), RuntimeMain.class.getName(),
                "--bootstrap", BROKER.bootstrapServers(), "--model", Fixtures.smolvlm().toString(),
                "--state", state.toString(), "--http", Integer.toString(port), "--app-id", "restart-rt",
                "--topic-prefix", PREFIX, "--pool-mib", "1", "--page-bytes", "1024", "--budget-bytes", "49152",
                "--checkpoint-seconds", "1", "--backpressure", "none",
                // a killed member must leave the group quickly for the restart to take over its partition
                "--streams", "consumer.session.timeout.ms=6000",
                "--streams", "consumer.heartbeat.interval.ms=1000"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(HttpClient http, int port, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("runtime process exited with " + p.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("runtime not ready within 90 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
