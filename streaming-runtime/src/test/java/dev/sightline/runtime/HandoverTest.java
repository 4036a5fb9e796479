package dev.sightline.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runtime instances share the streams by partition; stopping one moves its streams to the other, which restores
 * them from the shared checkpoint folder and goes on: no batch applied twice, no question lost or answered twice.
 */
class HandoverTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();
    @TempDir
    Path dir;

    static final TopicNames TOPICS = TopicNames.withPrefix("ho.");

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stoppingOneInstanceMovesItsStreamsToTheOther() throws Exception {
        try (Admin admin = BROKER.admin()) {
            TopicSetup.ensureTopics(admin, TOPICS, new TopicSettings(2, (short) 1, 8 << 20));
        }
        // two streams on different partitions
        String s0 = streamOn(0);
        String s1 = streamOn(1);
        try (KafkaIo io = new KafkaIo(BROKER.bootstrapServers());
             KafkaConsumer<String, String> answers = io.reader(TOPICS.answers())) {
            StreamingRuntime a = start("a");
            StreamingRuntime b = null;
            try {
                assertThat(a.awaitRunning(Duration.ofSeconds(60))).isTrue();
                produce(io, s0, 0, 20);
                produce(io, s1, 0, 20);
                await("a has both streams", () -> frames(a, s0) == 20 && frames(a, s1) == 20);

                b = start("b");
                StreamingRuntime bb = b;
                // the group now spreads the two partitions over the two instances
                await("b takes a stream", () -> !bb.sessions().isEmpty() && a.sessions().size() == 1);
                String moved = bb.sessions().getFirst().streamId();
                assertThat(frames(bb, moved)).as("restored from a's checkpoint").isEqualTo(20);
                // a checkpointed the moved partition's session as it gave the task up
                assertThat(dir.resolve("checkpoints/handover-rt")).isDirectoryContaining("glob:**/p*");

                a.close();                                    // a leaves: b gets everything
                await("b has both streams", () -> bb.sessions().size() == 2);
                produce(io, s0, 20, 30);
                produce(io, s1, 20, 30);
                for (String s : List.of(s0, s1)) {
                    io.json(TOPICS.queries(), s, "{\"stream_id\":\"" + s + "\",\"query_id\":\"q-" + s
                            + "\",\"text\":\"Anything new?\",\"max_tokens\":3}");
                }
                await("b applied every batch once", () -> frames(bb, s0) == 30 && frames(bb, s1) == 30);
                List<JsonNode> seen = KafkaIo.pollUntil(answers, new ArrayList<>(), l -> l.size() >= 2,
                        Duration.ofSeconds(60));
                Map<String, Integer> counts = new HashMap<>();
                for (JsonNode n : seen) {
                    assertThat(n.path("error").isMissingNode()).as(n.toString()).isTrue();
                    counts.merge(n.path("query_id").asText(), 1, Integer::sum);
                    assertThat(n.path("memory").path("to_pts_micros").asLong()).isEqualTo(29 * 500_000L);
                }
                assertThat(counts).containsOnlyKeys("q-" + s0, "q-" + s1).allSatisfy((k, v) -> assertThat(v).isOne());
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private StreamingRuntime start(String name) {
        return StreamingRuntime.start(RuntimeConfig.builder(BROKER.bootstrapServers(), dir.resolve(name))
                .applicationId("handover-rt").topics(TOPICS).incidentsTopic("ho.incidents")
                .topicSettings(new TopicSettings(2, (short) 1, 8 << 20))
                .checkpointDir(dir.resolve("checkpoints"))
                .modelDir(Fixtures.smolvlm()).poolBytes(512 * 1024).pageBytes(1024)
                .defaults(SessionSettings.defaults().withBudget(48 * 1024).withRecentWindow(16))
                .backpressure(BackpressurePolicy.NONE, Duration.ofMinutes(5))
                .checkpointInterval(Duration.ofSeconds(30))
                .httpPort(-1)
                .streamsOverride("consumer.session.timeout.ms", "6000")
                .streamsOverride("consumer.heartbeat.interval.ms", "1000")
                .build());
    }

    private static void produce(KafkaIo io, String stream, int from, int to) {
        for (int f = from; f < to; f++) {
            io.batch(TOPICS.tokens(), Fixtures.videoBatch(stream, f, 12, 64, 2.0));
        }
        io.flush();
    }

    private static long frames(StreamingRuntime rt, String stream) {
        return rt.sessions().stream().filter(s -> s.streamId().equals(stream)).mapToLong(SessionStatus::frames)
                .findFirst().orElse(-1);
    }

    /** A stream id the default partitioner puts on {@code partition} of 2. */
    private static String streamOn(int partition) {
        for (int i = 0; ; i++) {
            String id = "cam-" + i;
            if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 2 == partition) {
                return id;
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
