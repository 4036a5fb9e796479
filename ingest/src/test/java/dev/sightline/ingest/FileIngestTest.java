package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A synthetic clip through ingest into a real broker: every frame and chunk once, in order, at the right time. */
class FileIngestTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    @TempDir
    static Path dir;
    static Path clip;
    static GroundTruth truth;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("clip.mp4");
        truth = SyntheticMediaGenerator.generate(SyntheticClipSpec.small(5, Duration.ofSeconds(5)), clip);
    }

    @Test
    void everyFrameAndChunkArrivesOnceInOrderWithItsTimestamp() throws Exception {
        TopicNames topics = TopicNames.withPrefix("file.");
        List<StreamEvent> heard = new CopyOnWriteArrayList<>();
        try (IngestService ingest = IngestService.connect(BROKER.bootstrapServers(), topics,
                TopicSettings.singleBroker(), new IngestListener() {
                    @Override
                    public void onEvent(StreamEvent event) {
                        heard.add(event);
                    }
                })) {
            // 2 fps from a 10 fps clip; same size as the clip so the index strip is read 1:1
            IngestedStream s = ingest.start(StreamSource.of("clip-1", clip.toString())
                    .withFramesPerSecond(2).withSize(320, 240));
            // the same file again as a second stream, letterboxed to 16:9, raw RGB
            ingest.start(StreamSource.of("clip-2", clip.toString()).withSize(256, 144)
                    .withEncoding(PixelFormat.RGB24).withAudio(false));
            assertThat(ingest.awaitTermination(Duration.ofSeconds(60))).isTrue();
            assertThat(s.state()).isEqualTo(StreamState.ENDED);
            assertThat(s.stats().framesSent()).isEqualTo(10);
            // 5 s of audio, plus a few ms of AAC padding in a short last chunk
            assertThat(s.stats().chunksSent()).isBetween(5L, 6L);
            assertThat(s.stats().framesDropped()).isZero();
        }
        String bs = BROKER.bootstrapServers();

        List<VideoFrame> frames = KafkaReader.frames(bs, topics.frames(), "clip-1", 10);
        assertThat(frames).extracting(VideoFrame::sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        for (VideoFrame f : frames) {
            assertThat(f.ptsMicros()).isEqualTo(f.sequence() * 500_000);
            assertThat(f.format()).isEqualTo(PixelFormat.JPEG);
            assertThat(f.width()).isEqualTo(320);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.data()));
            // the frame shows the clip frame its timestamp says (10 fps clip: index = pts / 100 ms)
            assertThat(SyntheticMediaGenerator.readFrameIndex(img, 0, 0, 320, 240))
                    .as("index strip of frame %d", f.sequence()).isEqualTo((int) (f.ptsMicros() / 100_000));
        }

        List<AudioChunk> chunks = KafkaReader.chunks(bs, topics.audio(), "clip-1", 5);
        assertThat(chunks).hasSizeBetween(5, 6);
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(chunks.get(i).sequence()).isEqualTo(i);
        }
        long total = 0;
        for (AudioChunk c : chunks) {
            assertThat(c.sampleRate()).isEqualTo(16_000);
            assertThat(c.channels()).isEqualTo(1);
            // chunks are contiguous from the clip's start: chunk k starts at k seconds (within one AAC frame)
            assertThat(c.startPtsMicros()).isBetween(c.sequence() * 1_000_000 - 25_000,
                    c.sequence() * 1_000_000 + 25_000);
            if (c.sequence() < chunks.size() - 1) {
                assertThat(c.frameCount()).isEqualTo(16_000);
                assertThat(chunks.get((int) c.sequence() + 1).startPtsMicros()).isEqualTo(c.endPtsMicros());
            }
            total += c.frameCount();
        }
        assertThat(total).isBetween(80_000L, 81_000L);
        // the tones are where the ground truth says: loud in the middle of each, per the chunk timeline
        for (GroundTruth.Tone tone : truth.tones()) {
            long mid = (tone.startMicros() + tone.endMicros()) / 2;
            AudioChunk c = chunks.stream().filter(ch -> ch.startPtsMicros() <= mid && mid < ch.endPtsMicros())
                    .findFirst().orElseThrow();
            int at = (int) ((mid - c.startPtsMicros()) * 16 / 1000);
            double rms = 0;
            int n = 0;
            for (int i = Math.max(0, at - 400); i < Math.min(c.frameCount(), at + 400); i++, n++) {
                rms += (double) c.samples()[i] * c.samples()[i];
            }
            assertThat(Math.sqrt(rms / n)).as("tone at %d us", mid).isGreaterThan(5000);
        }

        List<VideoFrame> letterboxed = KafkaReader.frames(bs, topics.frames(), "clip-2", 5);
        assertThat(letterboxed).hasSize(5).allSatisfy(f -> {
            assertThat(f.format()).isEqualTo(PixelFormat.RGB24);
            assertThat(f.data()).hasSize(256 * 144 * 3);
            // 4:3 in 16:9: black bars left and right (PAD), content in the middle
            assertThat(f.data()[(72 * 256 + 2) * 3]).isZero();
            assertThat(f.data()[(72 * 256 + 253) * 3 + 1]).isZero();
        });
        assertThat(letterboxed).extracting(VideoFrame::ptsMicros)
                .containsExactly(0L, 1_000_000L, 2_000_000L, 3_000_000L, 4_000_000L);

        List<StreamEvent> events = KafkaReader.events(bs, topics.events(), "clip-1");
        assertThat(events).extracting(StreamEvent::state)
                .containsExactly(StreamState.CONNECTING, StreamState.RUNNING, StreamState.ENDED);
        assertThat(events.getLast().framesSent()).isEqualTo(10);
        assertThat(events.getLast().chunksSent()).isEqualTo(chunks.size());
        assertThat(heard).filteredOn(e -> e.streamId().equals("clip-1")).hasSize(3);
    }
}
