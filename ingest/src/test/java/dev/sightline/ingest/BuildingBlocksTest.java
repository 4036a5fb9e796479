package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.ShortBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The small parts of a stream's pipeline, each on its own. */
class BuildingBlocksTest {
    @Test
    void samplerTakesOneFramePerIntervalOfPresentationTime() {
        FrameSampler s = new FrameSampler(1.0);
        List<Long> taken = new ArrayList<>();
        for (long pts = 0; pts < 5_000_000; pts += 33_367) { // 29.97 fps
            if (s.take(pts)) {
                taken.add(pts);
            }
        }
        assertThat(taken).hasSize(5);
        for (int i = 0; i < taken.size(); i++) {
            assertThat(taken.get(i)).isBetween(i * 1_000_000L, i * 1_000_000L + 33_367);
        }
        // a jump in time keeps the grid: next after 9.2 s is the first frame at or after 10 s
        assertThat(s.take(9_200_000)).isTrue();
        assertThat(s.take(9_900_000)).isFalse();
        assertThat(s.take(10_000_000)).isTrue();
    }

    @Test
    void chunkerCutsContiguousChunksAndRestartsAfterADiscontinuity() {
        AudioChunker c = new AudioChunker("s", 16_000, 1600, 0);
        List<AudioChunk> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // 10 x 1000 samples, jittery timestamps
            out.addAll(c.add(i * 62_500L + (i % 2) * 3_000, ShortBuffer.wrap(new short[1000])));
        }
        assertThat(out).hasSize(6);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).sequence()).isEqualTo(i);
            assertThat(out.get(i).startPtsMicros()).isEqualTo(i * 100_000L);
            assertThat(out.get(i).frameCount()).isEqualTo(1600);
        }
        // 400 samples pending; a 2 s jump flushes them as a short chunk and starts a new run
        List<AudioChunk> jump = c.add(2_625_000, ShortBuffer.wrap(new short[1600]));
        assertThat(jump).extracting(AudioChunk::frameCount).containsExactly(400, 1600);
        assertThat(jump.get(0).startPtsMicros()).isEqualTo(600_000);
        assertThat(jump.get(1).startPtsMicros()).isEqualTo(2_625_000);
        assertThat(c.flush()).isEmpty();
    }

    @Test
    void liveQueueDropsTheOldestFrameButKeepsAudio() throws Exception {
        PendingQueue q = new PendingQueue(2, true);
        var f0 = new PendingQueue.FrameItem(0, 0, 0, null);
        var chunk = new PendingQueue.ChunkItem(new AudioChunk("s", 0, 0, 16_000, 1, new short[16]));
        var f1 = new PendingQueue.FrameItem(1, 1, 0, null);
        assertThat(q.put(f0)).isEmpty();
        assertThat(q.put(chunk)).isEmpty();
        assertThat(q.put(f1)).containsExactly(f0);
        assertThat(q.take()).isEqualTo(chunk);
        assertThat(q.take()).isEqualTo(f1);
        q.close();
        assertThat(q.take()).isNull();
    }

    @Test
    void fileQueueWaitsInsteadOfDropping() throws Exception {
        PendingQueue q = new PendingQueue(1, false);
        q.put(new PendingQueue.FrameItem(0, 0, 0, null));
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                q.put(new PendingQueue.FrameItem(1, 1, 0, null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.join(200);
        assertThat(producer.isAlive()).as("blocked while full").isTrue();
        assertThat(((PendingQueue.FrameItem) q.take()).sequence()).isZero();
        producer.join(2000);
        assertThat(((PendingQueue.FrameItem) q.take()).sequence()).isEqualTo(1);
    }

    @Test
    void backoffDoublesFromTheBaseUpToTheCap() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        assertThat(p.delayBefore(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.delayBefore(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.delayBefore(4)).isEqualTo(Duration.ofSeconds(40));
        assertThat(p.delayBefore(5)).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.delayBefore(500)).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.allows(1_000_000)).isTrue();
        ReconnectPolicy three = new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), 3);
        assertThat(three.allows(2)).isTrue();
        assertThat(three.allows(3)).isFalse();
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1), 3))
                .hasMessageContaining("max delay");
    }

    @Test
    void shaperPadsOrCropsToTheOutputSize() {
        BufferedImage wide = new BufferedImage(160, 90, BufferedImage.TYPE_3BYTE_BGR);
        var g = wide.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 160, 90);
        g.dispose();
        BufferedImage padded = new FrameShaper(100, 100, FitMode.PAD).shape(wide);
        assertThat(padded.getWidth()).isEqualTo(100);
        assertThat(padded.getRGB(50, 2) & 0xFFFFFF).as("bar above").isZero();
        assertThat(padded.getRGB(50, 50) & 0xFFFFFF).isEqualTo(0xFF0000);
        BufferedImage cropped = new FrameShaper(100, 100, FitMode.CROP).shape(wide);
        assertThat(cropped.getRGB(50, 2) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(cropped.getRGB(1, 98) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(new FrameShaper(640, 360, FitMode.PAD).scaledSize(1920, 1080)).containsExactly(640, 360);
        assertThat(new FrameShaper(640, 360, FitMode.PAD).scaledSize(640, 480)).containsExactly(480, 360);
        assertThat(new FrameShaper(640, 360, FitMode.CROP).scaledSize(640, 480)).containsExactly(640, 480);
    }

    @Test
    void sourcesKnowWhetherTheyAreLiveAndRejectNonsense() {
        assertThat(StreamSource.of("a", "/data/clip.mp4").isLive()).isFalse();
        assertThat(StreamSource.of("a", "rtsp://cam/1").isLive()).isTrue();
        assertThat(StreamSource.of("a", "/dev/video0").isLive()).isTrue();
        assertThat(StreamSource.of("a", "https://host/live.m3u8").isLive()).isTrue();
        assertThat(StreamSource.of("a", "https://host/clip.mp4").withLive(false).isLive()).isFalse();
        assertThat(StreamSource.of("a", "x").audioChunkSamples()).isEqualTo(16_000);
        assertThatThrownBy(() -> StreamSource.of("a", "x").withFramesPerSecond(0)).hasMessageContaining("frames");
        assertThatThrownBy(() -> StreamSource.of(" ", "x")).hasMessageContaining("stream id");
        assertThatThrownBy(() -> StreamSource.of("a", "x").withJpegQuality(0)).hasMessageContaining("JPEG");
    }
}
