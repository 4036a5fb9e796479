package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.sightline.ingest.StreamStats;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's steps end to end: embedded broker, topics, a generated clip, ingest, counts read back from Kafka. */
class DemoTest {

    @Test
    void demoIngestsTheWholeClipAndCountsMatchIt() throws Exception {
        // 4 s sampled at 2 fps with 500 ms audio chunks: 8 frames and 8 audio chunks.
        CommandLine cli = SightlineCli.commandLine();
        cli.parseArgs("demo", "--duration", "4s", "--seed", "3", "--fps", "2", "--audio-chunk", "500ms",
                "--topic-prefix", "demo-test.");
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

        long frames = 4 * 2;      // duration x fps
        long audioChunks = 4 * 2; // duration / chunk length
        assertThat(demo.counts.get(topics.frames())).isEqualTo(frames);
        // the AAC track may end in one extra chunk of a few ms (encoder padding); never fewer chunks
        assertThat(demo.counts.get(topics.audio())).isBetween(audioChunks, audioChunks + 1);
        assertThat(demo.counts.get(topics.errors())).isZero();
        assertThat(demo.counts.get(topics.events())).as("CONNECTING, RUNNING, ENDED").isEqualTo(3);
        assertThat(output).contains("[1/5] Kafka", "[5/5] Records per topic", "demo OK");
        assertThat(demo.workDir).doesNotExist(); // cleaned up
        assertThat(demo.kafka.embeddedBroker().orElseThrow().dataDir()).doesNotExist();
    }
}
