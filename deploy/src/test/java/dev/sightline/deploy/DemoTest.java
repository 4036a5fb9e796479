package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.sightline.ingest.StreamStats;
import dev.sightline.protocol.Answer;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The demo end to end on real parts: the embedded KRaft broker (or Kafka's test-kit cluster), a StreamQA clip
 * ingested live, the tokenizer topology on the trained model's towers, the runtime with a fixed KV budget, the
 * benchmark's questions on the queries topic and their answers read back from Kafka.
 */
class DemoTest {

    @Test
    void demoRunsThePipelineAndEveryQuestionGetsOneAnswerWithinTheBudget() throws Exception {
        // 6 s at 1 fps with 1 s audio chunks: 6 frames and 6 audio chunks, ingested at real-time pace.
        CommandLine cli = SightlineCli.commandLine();
        cli.parseArgs("demo", "--duration", "6s", "--scene", "3", "--topic-prefix", "demo-test.");
        DemoCommand command = cli.getSubcommands().get("demo").getCommand();
        var text = new ByteArrayOutputStream();
        DemoContext demo = command.run(command.configOptions().load(List.of(), Map.of()),
                new PrintStream(text, true, StandardCharsets.UTF_8));
        String output = text.toString(StandardCharsets.UTF_8);

        assertThat(demo.failures).as(output).isEmpty();
        TopicNames topics = demo.config.topicNames();
        assertThat(topics.frames()).isEqualTo("demo-test.frames");
        StreamStats stats = demo.ingestStats;
        assertThat(stats.state()).isEqualTo(StreamState.ENDED);
        assertThat(stats.framesDropped() + stats.chunksDropped() + stats.sendFailures()).isZero();

        long frames = 6;      // duration x fps
        long audioChunks = 6; // duration / chunk length
        assertThat(demo.counts.get(topics.frames())).isEqualTo(frames);
        // the AAC track may end in one extra chunk of a few ms (encoder padding); never fewer chunks
        assertThat(demo.counts.get(topics.audio())).isBetween(audioChunks, audioChunks + 1);
        assertThat(demo.counts.get(topics.errors())).as(output).isZero();
        assertThat(demo.counts.get(topics.events())).as("ingest's CONNECTING, RUNNING, ENDED; the session opening")
                .isEqualTo(4);
        assertThat(demo.counts.get(topics.tokens())).as("token batches").isPositive();

        // one question while the clip was live, the benchmark's questions after it ended; each answered exactly once,
        // without error, with memory figures inside the budget the demo set
        assertThat(demo.clip.questions()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(demo.asked).hasSize(1 + demo.clip.questions().size());
        assertThat(demo.asked.getFirst().whileLive()).isTrue();
        assertThat(demo.counts.get(topics.answers())).isEqualTo(demo.asked.size());
        for (DemoQuestions.Asked q : demo.asked) {
            List<Answer> got = demo.answers.get(q.queryId());
            assertThat(got).as(q.queryId() + "\n" + output).hasSize(1);
            Answer a = got.getFirst();
            assertThat(a.error()).as(q.queryId()).isNull();
            assertThat(a.memory().budgetBytes()).isEqualTo(DemoPipelineSteps.DEMO_BUDGET_BYTES);
            assertThat(a.memory().bytesKept()).isPositive().isLessThanOrEqualTo(a.memory().budgetBytes());
            assertThat(a.memory().tokensKept()).isPositive();
            assertThat(a.latency().endToEndMillis()).isPositive();
        }
        // the question asked live saw less of the stream than those asked at the end
        assertThat(demo.answers.get(demo.asked.getFirst().queryId()).getFirst().memory().toPtsMicros())
                .isLessThan(demo.answers.get(demo.asked.getLast().queryId()).getFirst().memory().toPtsMicros());
        assertThat(output).contains("[1/10] Kafka", "[10/10] Records per topic", "POST /v1/chat/completions", "demo OK",
                "StreamQA evaluation scene 3", "latency: end to end", "budget kept",
                "answers right by the scene's ground truth");
        assertThat(demo.workDir).doesNotExist(); // cleaned up
        assertThat(demo.kafka.embeddedBroker().orElseThrow().dataDir()).doesNotExist();
    }

    @Test
    @SuppressWarnings("try") // KafkaTestBroker.close() may throw InterruptedException; JUnit reports it
    void demoAgainstAnExistingClusterCountsOnlyItsOwnRun() throws Exception {
        try (KafkaTestBroker cluster = KafkaTestBroker.start()) {
            for (int run = 0; run < 2; run++) {
                CommandLine cli = SightlineCli.commandLine();
                // as fast as the file reads (no live question), so two runs stay quick
                cli.parseArgs("demo", "--duration", "4s", "--bootstrap-servers", cluster.bootstrapServers(),
                        "--topic-prefix", "shared.", "--pace", "false");
                DemoCommand command = cli.getSubcommands().get("demo").getCommand();
                var text = new ByteArrayOutputStream();
                DemoContext demo = command.run(command.configOptions().load(List.of(), Map.of()),
                        new PrintStream(text, true, StandardCharsets.UTF_8));
                String output = text.toString(StandardCharsets.UTF_8);

                assertThat(demo.failures).as(output).isEmpty();
                assertThat(demo.kafka.embeddedBroker()).isEmpty();
                assertThat(output).contains("using the cluster at " + cluster.bootstrapServers());
                // the second run sees the first run's records on the same topics, but counts only its own
                assertThat(demo.counts.get("shared.frames")).as("run %d", run).isEqualTo(4);
                assertThat(demo.counts.get("shared.answers")).as("run %d", run)
                        .isEqualTo(demo.clip.questions().size());
            }
        }
    }
}
