package dev.sightline.ingest;

import com.sun.net.httpserver.HttpServer;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP sources: a plain file download and an HLS playlist with its segments, from a real local HTTP server. */
class HttpIngestTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    @TempDir
    static Path dir;
    static HttpServer server;

    @BeforeAll
    static void serve() throws Exception {
        SyntheticMediaGenerator.generate(SyntheticClipSpec.small(4, Duration.ofSeconds(3)), dir.resolve("clip.mp4"));
        SyntheticMediaGenerator.generate(SyntheticClipSpec.small(4, Duration.ofSeconds(3)),
                dir.resolve("hls").resolve("clip.m3u8"));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Path file = dir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            // byte ranges, as real HTTP servers do: FFmpeg seeks to an MP4's index at the end
            int from = 0;
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null && range.startsWith("bytes=")) {
                from = Integer.parseInt(range.substring(6, range.indexOf('-')));
            }
            exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
            int length = Math.max(0, body.length - from);
            if (range != null) {
                exchange.getResponseHeaders().add("Content-Range",
                        "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                exchange.sendResponseHeaders(206, length);
            } else {
                exchange.sendResponseHeaders(200, length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, from, length);
            } catch (java.io.IOException e) {
                // the client seeks and drops connections mid-body: fine
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    @Test
    void readsAFileAndAnHlsPlaylistOverHttp() throws Exception {
        assertThat(Files.list(dir.resolve("hls")).filter(p -> p.toString().endsWith(".ts")).count())
                .isGreaterThanOrEqualTo(3);
        TopicNames topics = TopicNames.withPrefix("http.");
        try (IngestService ingest = IngestService.connect(BROKER.bootstrapServers(), topics,
                TopicSettings.singleBroker(), null)) {
            // http(s) counts as live unless told otherwise; these are finished recordings
            IngestedStream mp4 = ingest.start(StreamSource.of("mp4", url("clip.mp4")).withLive(false));
            IngestedStream hls = ingest.start(StreamSource.of("hls", url("hls/clip.m3u8")).withLive(false));
            IngestedStream missing = ingest.start(StreamSource.of("missing", url("nope.m3u8")).withLive(false));
            assertThat(ingest.awaitTermination(Duration.ofSeconds(60))).isTrue();
            assertThat(mp4.state()).isEqualTo(StreamState.ENDED);
            assertThat(hls.state()).isEqualTo(StreamState.ENDED);
            assertThat(mp4.stats().framesSent()).isEqualTo(3);
            assertThat(hls.stats().framesSent()).isEqualTo(3);
            assertThat(hls.stats().chunksSent()).isGreaterThanOrEqualTo(3);
            assertThat(missing.state()).isEqualTo(StreamState.FAILED);
            assertThat(missing.stats().lastError()).contains("404");
        }
        List<VideoFrame> frames = KafkaReader.frames(BROKER.bootstrapServers(), topics.frames(), "hls", 3);
        assertThat(frames).extracting(VideoFrame::sequence).containsExactly(0L, 1L, 2L);
        // MPEG-TS segments start the clock at their own offset; each sampled frame is still 1 s after the last
        assertThat(frames.get(1).ptsMicros() - frames.get(0).ptsMicros()).isEqualTo(1_000_000);
        assertThat(frames.get(2).ptsMicros() - frames.get(1).ptsMicros()).isEqualTo(1_000_000);
    }
}
