package dev.sightline.ingest;

import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Broken inputs end in a clear event or error; the other streams in the same service carry on. */
class BadInputTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    @TempDir
    static Path dir;
    static Path clip;
    static Path streamable;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("clip.mp4");
        SyntheticMediaGenerator.generate(SyntheticClipSpec.small(9, Duration.ofSeconds(3)), clip);
        streamable = dir.resolve("clip.ts");
        SyntheticMediaGenerator.generate(SyntheticClipSpec.small(9, Duration.ofSeconds(4)), streamable);
    }

    @Test
    void brokenFilesAndUnreachableUrlsFailAloneWhileAGoodStreamCompletes() throws Exception {
        byte[] bytes = Files.readAllBytes(clip);
        Path truncated = dir.resolve("truncated.mp4");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2)); // the index (moov) is at the end: gone
        Path garbage = dir.resolve("garbage.mp4");
        byte[] noise = new byte[50_000];
        new Random(1).nextBytes(noise);
        Files.write(garbage, noise);

        // a streamable recording cut off half-way: what is there is read, then it ends
        byte[] ts = Files.readAllBytes(streamable);
        Path cutTs = dir.resolve("cut.ts");
        Files.write(cutTs, Arrays.copyOf(ts, ts.length / 2));
        // an MP4 with noise over part of its media data: the decoder conceals, ingest goes on
        byte[] damaged = bytes.clone();
        byte[] splat = new byte[4_000];
        new Random(2).nextBytes(splat);
        System.arraycopy(splat, 0, damaged, damaged.length / 3, splat.length);
        Path corrupt = dir.resolve("corrupt.mp4");
        Files.write(corrupt, damaged);

        TopicNames topics = TopicNames.withPrefix("bad.");
        String bs = BROKER.bootstrapServers();
        // fast retries so the unreachable stream gives up within the test
        ReconnectPolicy quick = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(200), 3);
        try (IngestService ingest = IngestService.connect(bs, topics, TopicSettings.singleBroker(), null)) {
            IngestedStream good = ingest.start(StreamSource.of("good", clip.toString()));
            IngestedStream cut = ingest.start(StreamSource.of("truncated", truncated.toString()));
            IngestedStream junk = ingest.start(StreamSource.of("garbage", garbage.toString()));
            IngestedStream missing = ingest.start(StreamSource.of("missing", dir.resolve("nope.mp4").toString()));
            IngestedStream offline = ingest.start(StreamSource.of("offline", "rtsp://127.0.0.1:9/none")
                    .withReconnect(quick).withNoDataTimeout(Duration.ofSeconds(2)));
            IngestedStream half = ingest.start(StreamSource.of("cut-ts", cutTs.toString()));
            IngestedStream damagedStream = ingest.start(StreamSource.of("corrupt", corrupt.toString()));
            assertThat(ingest.awaitTermination(Duration.ofSeconds(60))).isTrue();

            assertThat(half.state()).isEqualTo(StreamState.ENDED);
            assertThat(half.stats().framesSent()).isBetween(1L, 3L); // of 4 in the whole clip
            assertThat(damagedStream.state()).isEqualTo(StreamState.ENDED);
            assertThat(damagedStream.stats().framesSent()).isEqualTo(3);
            assertThat(good.state()).isEqualTo(StreamState.ENDED);
            assertThat(good.stats().framesSent()).isEqualTo(3);
            for (IngestedStream s : List.of(cut, junk, missing, offline)) {
                assertThat(s.state()).as(s.id()).isEqualTo(StreamState.FAILED);
                assertThat(s.stats().lastError()).as(s.id()).isNotBlank();
            }
            assertThat(cut.stats().lastError()).contains("cannot open", truncated.toString(), "Invalid data")
                    .doesNotContain("Has setFormat");
            assertThat(missing.stats().lastError()).contains("No such file or directory");
            assertThat(offline.stats().reconnects()).isEqualTo(2);
            assertThat(offline.stats().lastError()).contains("gave up after 3 consecutive failed attempts");
        }

        List<StreamEvent> offlineEvents = KafkaReader.events(bs, topics.events(), "offline");
        assertThat(offlineEvents).extracting(StreamEvent::state).containsExactly(StreamState.CONNECTING,
                StreamState.RECONNECTING, StreamState.RECONNECTING, StreamState.FAILED);
        assertThat(offlineEvents.get(1).message()).contains("reconnect attempt 1 in 100 ms");
        assertThat(offlineEvents.get(2).message()).contains("reconnect attempt 2 in 200 ms");
        assertThat(KafkaReader.events(bs, topics.events(), "garbage").getLast().message()).contains("cannot open");

        List<ErrorRecord> errors = KafkaReader.errors(bs, topics.errors(), 4);
        assertThat(errors).extracting(ErrorRecord::streamId)
                .contains("truncated", "garbage", "missing", "offline").doesNotContain("good");
    }

    @Test
    void framesOverTheSizeLimitAreCountedAndReportedAndSmallerOnesStillFlow() throws Exception {
        TopicNames topics = TopicNames.withPrefix("large.");
        String bs = BROKER.bootstrapServers();
        TopicSettings settings = new TopicSettings(1, (short) 1, 128 * 1024);
        try (Admin admin = BROKER.admin()) {
            TopicSetup.ensureTopics(admin, topics, settings);
        }
        try (var producer = new KafkaProducer<>(KafkaClientConfigs.producer(bs, settings.maxMessageBytes()),
                new StringSerializer(), new ByteArraySerializer());
             IngestService ingest = new IngestService(producer, topics, settings.maxValueBytes(), null)) {
            // 320x240 RGB24 is 230 KB: over the 112 KB value limit. The JPEG stream is a few KB.
            IngestedStream raw = ingest.start(StreamSource.of("raw", clip.toString()).withSize(320, 240)
                    .withEncoding(PixelFormat.RGB24));
            IngestedStream jpeg = ingest.start(StreamSource.of("jpeg", clip.toString()).withSize(320, 240));
            assertThat(ingest.awaitTermination(Duration.ofSeconds(60))).isTrue();
            assertThat(raw.state()).isEqualTo(StreamState.ENDED);
            assertThat(raw.stats().framesSent()).isZero();
            assertThat(raw.stats().framesDropped()).isEqualTo(3);
            assertThat(raw.stats().chunksSent()).isGreaterThanOrEqualTo(3); // its audio still goes
            assertThat(jpeg.stats().framesSent()).isEqualTo(3);
        }
        List<ErrorRecord> errors = KafkaReader.errors(bs, topics.errors(), 3);
        assertThat(errors).hasSize(3).allSatisfy(e -> {
            assertThat(e.streamId()).isEqualTo("raw");
            assertThat(e.reason()).contains("over the", "byte limit; not sent", "RGB24");
        });
        assertThat(KafkaReader.frames(bs, topics.frames(), "jpeg", 3)).extracting(VideoFrame::sequence)
                .containsExactly(0L, 1L, 2L);
    }
}
