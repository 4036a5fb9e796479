package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.sightline.ingest.GroundTruth;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.VideoFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands as a user runs them, in-process. */
class CommandsTest {

    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        CommandLine cli = SightlineCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void generateMediaWritesTheClipAndItsGroundTruth() throws Exception {
        Path clip = dir.resolve("out/clip.mkv");
        Path truth = dir.resolve("truth.json");
        int rc = run(new StringWriter(), "generate-media", "--out", clip.toString(), "--duration", "2s",
                "--seed", "9", "--size", "160x120", "--ground-truth", truth.toString());
        assertThat(rc).isZero();
        assertThat(clip).isNotEmptyFile();
        GroundTruth gt = GroundTruth.readJson(truth);
        assertThat(gt.spec().seed()).isEqualTo(9);
        assertThat(gt.spec().durationMicros()).isEqualTo(2_000_000);
        assertThat(gt.spec().width()).isEqualTo(160);
    }

    @Test
    void badOptionsAndSettingsAreReportedInOneLine() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "generate-media", "--out", dir.resolve("c.mp4").toString(), "--size", "33x33"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("invalid clip").contains("even");

        StringWriter err2 = new StringWriter();
        assertThat(run(err2, "ingest", "--stream", "a=x.mp4", "--jpeg-quality", "500")).isEqualTo(2);
        assertThat(err2.toString()).contains("'ingest.jpeg-quality' (flag --jpeg-quality)").contains("500");

        StringWriter err3 = new StringWriter();
        assertThat(run(err3, "ingest")).isEqualTo(2);
        assertThat(err3.toString()).contains("no streams to ingest");

        StringWriter err4 = new StringWriter();
        assertThat(run(err4, "ingest", "--stream", "a=x.mp4", "--reconnect-base", "30s", "--reconnect-cap", "10s"))
                .isEqualTo(2);
        assertThat(err4.toString()).contains("stream 'a'").contains("max delay");
    }

    @Test
    void ingestRunsStreamsAgainstAnExistingClusterAndOneBrokenStreamDoesNotStopTheOther() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        run(new StringWriter(), "generate-media", "--out", clip.toString(), "--duration", "3s", "--seed", "4");
        Path broken = dir.resolve("broken.mp4");
        Files.write(broken, new byte[] {0, 1, 2, 3, 'n', 'o', 't', ' ', 'a', ' ', 'v', 'i', 'd', 'e', 'o'});

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0,
                TopicSettings.DEFAULT_MAX_MESSAGE_BYTES, 1)) {
            int rc = run(new StringWriter(), "ingest", "--bootstrap-servers", broker.bootstrapServers(),
                    "--topic-prefix", "cli.", "--stream", "good=" + clip, "--stream", "bad=" + broken);
            assertThat(rc).as("a FAILED stream makes the exit code 1").isEqualTo(1);

            TopicNames topics = TopicNames.withPrefix("cli.");
            List<VideoFrame> frames = TopicReader.read(broker.bootstrapServers(), topics.frames(), "good",
                    TopicSettings.DEFAULT_MAX_MESSAGE_BYTES, SightlineSerdes.videoFrame().deserializer());
            assertThat(frames).extracting(VideoFrame::sequence).containsExactly(0L, 1L, 2L);
            assertThat(frames).extracting(VideoFrame::ptsMicros).containsExactly(0L, 1_000_000L, 2_000_000L);
            var badEvents = TopicReader.read(broker.bootstrapServers(), topics.events(), "bad",
                    TopicSettings.DEFAULT_MAX_MESSAGE_BYTES, SightlineSerdes.streamEvent().deserializer());
            assertThat(badEvents).isNotEmpty();
            assertThat(badEvents.getLast().state().name()).isEqualTo("FAILED");
        }
    }
}
