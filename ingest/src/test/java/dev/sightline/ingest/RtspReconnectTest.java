package dev.sightline.ingest;

import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real RTSP server (VLC) streams the synthetic clip; ingest reads it; the server is killed and started again;
 * ingest reconnects and reports the outage as a gap. Skipped (with the reason) where VLC cannot be had.
 */
class RtspReconnectTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    static Path clip;

    @BeforeAll
    static void setUp() throws Exception {
        Optional<String> why = VlcRtspServer.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "RTSP test skipped: " + why.orElse(""));
        // VLC runs as another user: the clip must be readable by it
        Path dir = Files.createTempDirectory("sightline-rtsp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        clip = dir.resolve("clip.ts");
        SyntheticMediaGenerator.generate(SyntheticClipSpec.small(21, Duration.ofSeconds(4)), clip);
        Files.setPosixFilePermissions(clip, PosixFilePermissions.fromString("rw-r--r--"));
        dir.toFile().deleteOnExit();
        clip.toFile().deleteOnExit();
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void reconnectsAfterTheServerIsKilledAndRestartedAndReportsTheGap() throws Exception {
        int port = VlcRtspServer.freePort();
        TopicNames topics = TopicNames.withPrefix("rtsp.");
        List<StreamEvent> events = new CopyOnWriteArrayList<>();
        IngestListener listener = new IngestListener() {
            @Override
            public void onEvent(StreamEvent event) {
                events.add(event);
            }
        };
        VlcRtspServer server = VlcRtspServer.start(clip, port);
        try (IngestService ingest = IngestService.connect(BROKER.bootstrapServers(), topics,
                TopicSettings.singleBroker(), listener)) {
            IngestedStream cam = ingest.start(StreamSource.of("cam", server.url()).withFramesPerSecond(2)
                    .withReconnect(new ReconnectPolicy(Duration.ofMillis(500), Duration.ofSeconds(1),
                            ReconnectPolicy.FOREVER))
                    .withNoDataTimeout(Duration.ofSeconds(3))
                    // VLC's RTSP server cannot interleave RTP over TCP (461 Unsupported transport): use UDP
                    .withFfmpegOptions(Map.of("rtsp_transport", "udp")));
            waitFor("first frames", Duration.ofSeconds(40), () -> cam.stats().framesSent() >= 3);

            server.kill();
            waitFor("RECONNECTING", Duration.ofSeconds(20), () -> cam.state() == StreamState.RECONNECTING);
            Thread.sleep(1500); // let a retry or two fail against the dead server
            long before = cam.stats().framesSent();
            server = VlcRtspServer.start(clip, port);
            waitFor("reconnected", Duration.ofSeconds(40), () -> cam.state() == StreamState.RUNNING
                    && cam.stats().framesSent() >= before + 3);
            ingest.stop("cam");
            assertThat(cam.awaitTermination(Duration.ofSeconds(30))).isTrue();

            StreamStats stats = cam.stats();
            assertThat(stats.state()).isEqualTo(StreamState.ENDED);
            assertThat(stats.reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(stats.gaps()).isGreaterThanOrEqualTo(1);
            assertThat(stats.framesDropped()).isZero();
        } finally {
            server.kill();
        }

        assertThat(events).extracting(StreamEvent::state).startsWith(StreamState.CONNECTING, StreamState.RUNNING)
                .contains(StreamState.RECONNECTING).endsWith(StreamState.ENDED);
        StreamEvent back = events.stream().filter(e -> e.message().startsWith("reconnected")).findFirst()
                .orElseThrow();
        assertThat(back.state()).isEqualTo(StreamState.RUNNING);
        assertThat(back.gaps()).isGreaterThanOrEqualTo(1);
        assertThat(back.message()).contains("outage gap in stream time");

        // on the topic: every frame once, in order, and the timeline jumps over the outage
        List<VideoFrame> frames = KafkaReader.frames(BROKER.bootstrapServers(), topics.frames(), "cam",
                (int) events.getLast().framesSent());
        assertThat(frames).hasSize((int) events.getLast().framesSent());
        long maxStep = 0;
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i).sequence()).isEqualTo(i);
            if (i > 0) {
                long step = frames.get(i).ptsMicros() - frames.get(i - 1).ptsMicros();
                assertThat(step).isPositive();
                maxStep = Math.max(maxStep, step);
            }
        }
        assertThat(maxStep).as("the outage shows as a jump in stream time").isGreaterThan(1_500_000);
        List<StreamEvent> onTopic = KafkaReader.events(BROKER.bootstrapServers(), topics.events(), "cam");
        assertThat(onTopic).extracting(StreamEvent::state).containsExactlyElementsOf(
                events.stream().map(StreamEvent::state).toList());
    }

    @Test
    void aServerThatHangsTripsTheNoDataWatchdog() throws Exception {
        int port = VlcRtspServer.freePort();
        TopicNames topics = TopicNames.withPrefix("stall.");
        List<StreamEvent> events = new CopyOnWriteArrayList<>();
        IngestListener listener = new IngestListener() {
            @Override
            public void onEvent(StreamEvent event) {
                events.add(event);
            }
        };
        VlcRtspServer server = VlcRtspServer.start(clip, port);
        try (IngestService ingest = IngestService.connect(BROKER.bootstrapServers(), topics,
                TopicSettings.singleBroker(), listener)) {
            IngestedStream cam = ingest.start(StreamSource.of("cam", server.url()).withFramesPerSecond(2)
                    .withReconnect(new ReconnectPolicy(Duration.ofMillis(500), Duration.ofSeconds(1),
                            ReconnectPolicy.FOREVER))
                    .withNoDataTimeout(Duration.ofSeconds(2))
                    .withFfmpegOptions(Map.of("rtsp_transport", "udp")));
            waitFor("first frames", Duration.ofSeconds(40), () -> cam.stats().framesSent() >= 2);
            server.signal("STOP"); // connections stay open, nothing flows
            // wait for the event, not the state: the worker sets its state just before it tells the listener
            waitFor("the watchdog", Duration.ofSeconds(20),
                    () -> events.stream().anyMatch(e -> e.state() == StreamState.RECONNECTING));
            assertThat(events.stream().filter(e -> e.state() == StreamState.RECONNECTING).findFirst().orElseThrow()
                    .message()).contains("no data for 2000 ms (watchdog)");
            server.signal("CONT");
            long before = cam.stats().framesSent();
            waitFor("recovery", Duration.ofSeconds(40), () -> cam.state() == StreamState.RUNNING
                    && cam.stats().framesSent() >= before + 2);
            ingest.stop("cam");
            assertThat(cam.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(cam.stats().gaps()).isGreaterThanOrEqualTo(1);
        } finally {
            server.kill();
        }
    }
}
