package dev.sightline.ingest;

import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live source whose sender cannot keep up drops the oldest pending frames; every drop is counted, shows as a
 * jump in the sequence numbers on the topic, and is reported as a gap event.
 */
class LiveDropTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    @TempDir
    Path dir;

    @Test
    void dropsAreCountedAndReportedAsGaps() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        SyntheticMediaGenerator.generate(SyntheticClipSpec.small(2, Duration.ofSeconds(4)), clip);
        TopicNames topics = TopicNames.withPrefix("drop.");
        String bs = BROKER.bootstrapServers();
        try (IngestService ingest = IngestService.connect(bs, topics, TopicSettings.singleBroker(), null)) {
            // the file read as if live, as fast as it decodes, every frame sampled and blown up to 1080p JPEG
            // at top quality: encoding is far slower than decoding, so a queue of 1 must overflow
            IngestedStream s = ingest.start(StreamSource.of("fast", clip.toString()).withLive(true)
                    .withFramesPerSecond(10).withSize(1920, 1080).withJpegQuality(100).withQueueCapacity(1)
                    .withAudio(false)
                    .withReconnect(new ReconnectPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30), 2)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (s.state() != StreamState.RECONNECTING && System.nanoTime() < deadline) {
                Thread.sleep(50); // at the end of the file a live source waits to reconnect
            }
            ingest.stop("fast");
            assertThat(s.awaitTermination(Duration.ofSeconds(30))).isTrue();
            StreamStats stats = s.stats();
            assertThat(stats.framesDropped()).isPositive();
            assertThat(stats.framesSent() + stats.framesDropped()).isEqualTo(40);
            assertThat(stats.gaps()).isPositive();

            List<VideoFrame> frames = KafkaReader.frames(bs, topics.frames(), "fast", (int) stats.framesSent());
            assertThat(frames).hasSize((int) stats.framesSent());
            long missing = 0;
            long runs = 0;
            long expected = 0;
            for (VideoFrame f : frames) {
                assertThat(f.sequence()).isGreaterThanOrEqualTo(expected);
                if (f.sequence() > expected) {
                    missing += f.sequence() - expected;
                    runs++;
                }
                expected = f.sequence() + 1;
            }
            missing += 40 - expected; // dropped at the tail, never followed by a sent frame
            assertThat(missing).isEqualTo(stats.framesDropped());
            List<StreamEvent> events = KafkaReader.events(bs, topics.events(), "fast");
            assertThat(events.stream().filter(e -> e.message().startsWith("gap: frames")).count()).isEqualTo(runs);
            assertThat(events.getLast().framesDropped()).isEqualTo(stats.framesDropped());
        }
    }
}
