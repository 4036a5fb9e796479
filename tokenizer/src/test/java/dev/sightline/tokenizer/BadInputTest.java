package dev.sightline.tokenizer;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.tokens.TokenBatch;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad frames and chunks become error records naming what was wrong, and the stream goes on. */
class BadInputTest {

    private static void sendGoodFrame(TopologyHarness h, long seq) {
        h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", seq, seq * 500_000, Scenes.background(32))));
    }

    private static TopologyHarness harness() {
        return TopologyHarness.with(StageSettings.DEFAULTS.withAllocation(AudioGuidedAllocation.Config.OFF));
    }

    @Test
    void garbageBytesOnTheFramesTopicAreReportedWithTheirOffset() {
        try (TopologyHarness h = harness()) {
            sendGoodFrame(h, 0);
            h.frames.pipeInput("cam", new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
            sendGoodFrame(h, 1);
            List<ErrorRecord> errors = h.errors.readValuesToList();
            assertThat(errors).hasSize(1);
            assertThat(errors.getFirst().reason()).contains("bad VideoFrame record").contains("bad magic");
            assertThat(errors.getFirst().sourceTopic()).isEqualTo(TopologyHarness.TOPICS.frames());
            assertThat(errors.getFirst().offset()).isEqualTo(1);
            assertThat(errors.getFirst().streamId()).isEqualTo("cam");
            assertThat(h.tokens.readValuesToList()).extracting(TokenBatch::sequence).containsExactly(0L, 1L);
            assertThat(h.metrics.badRecords()).isEqualTo(1);
        }
    }

    @Test
    void anUndecodableJpegIsReported() {
        try (TopologyHarness h = harness()) {
            byte[] broken = Arrays.copyOf(Clips.jpeg(Scenes.background(32)), 40); // SOI marker, then cut off
            h.frames.pipeInput("cam", Clips.bytes(new VideoFrame("cam", 0, 0, 0, 32, 32, PixelFormat.JPEG, broken)));
            sendGoodFrame(h, 1);
            assertThat(h.errors.readValue().reason()).contains("frame #0: undecodable JPEG");
            assertThat(h.tokens.readValuesToList()).hasSize(1);
        }
    }

    @Test
    void aJpegWhoseSizeDiffersFromTheRecordIsReported() {
        try (TopologyHarness h = harness()) {
            byte[] jpeg = Clips.jpeg(Scenes.background(32));
            h.frames.pipeInput("cam", Clips.bytes(new VideoFrame("cam", 0, 0, 0, 64, 48, PixelFormat.JPEG, jpeg)));
            assertThat(h.errors.readValue().reason())
                    .contains("wrong dimensions: the record says 64x48 but the JPEG is 32x32");
            assertThat(h.tokens.isEmpty()).isTrue();
        }
    }

    @Test
    void aValidJpegOfAnotherSizeIsResizedToTheTowerInput() {
        try (TopologyHarness h = harness()) {
            byte[] jpeg = Clips.jpeg(Scenes.background(64));
            h.frames.pipeInput("cam", Clips.bytes(new VideoFrame("cam", 0, 0, 0, 64, 64, PixelFormat.JPEG, jpeg)));
            TokenBatch b = h.tokens.readValue();
            assertThat(b.gridRows()).isEqualTo(4);
            assertThat(b.representedTokens()).isEqualTo(16);
            assertThat(h.errors.isEmpty()).isTrue();
        }
    }

    @Test
    void aFrameKeyedUnderAnotherStreamIsReported() {
        try (TopologyHarness h = harness()) {
            h.frames.pipeInput("other", Clips.bytes(Clips.rgbFrame("cam", 0, 0, Scenes.background(32))));
            assertThat(h.errors.readValue().reason()).contains("arrived under key 'other'");
            assertThat(h.tokens.isEmpty()).isTrue();
        }
    }

    @Test
    void badAudioIsReportedAndVideoGoesOn() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF)) {
            h.audio.pipeInput("cam", new byte[]{'S', 'L', 'A', 'U', 0, 99});
            h.audio.pipeInput("cam", Clips.bytes(new AudioChunk("cam", 1, 0, 48_000, 2, new short[48_000 * 2])));
            sendGoodFrame(h, 0);
            assertThat(h.errors.readValue().reason()).contains("bad AudioChunk record");
            List<TokenBatch> out = h.tokens.readValuesToList();
            // the 48 kHz stereo second is resampled to 16 kHz mono: 25 tokens
            assertThat(out).extracting(b -> b.tokens().size()).containsExactly(25, 16);
        }
    }

    @Test
    void aFailingEncoderIsReportedPerFrameAndTheNextFrameWorks() {
        TokenizerMetrics metrics = new TokenizerMetrics();
        FrameEncoder real = new ProjectionFrameEncoder(32, 4, 16, 7);
        FrameEncoder flaky = new FrameEncoder() {
            int calls;

            public int inputSize() {
                return real.inputSize();
            }

            public int gridRows() {
                return real.gridRows();
            }

            public int gridCols() {
                return real.gridCols();
            }

            public int dim() {
                return real.dim();
            }

            public boolean encodesSubsets() {
                return true;
            }

            public float[][] encode(RgbImage image, boolean[] cells) {
                if (calls++ == 0) {
                    throw new IllegalStateException("out of memory in the tower");
                }
                return real.encode(image, cells);
            }
        };
        var props = new java.util.Properties();
        props.put("application.id", "flaky");
        props.put("bootstrap.servers", "unused:9092");
        var topics = TopologyHarness.TOPICS;
        try (var driver = new org.apache.kafka.streams.TopologyTestDriver(TokenizerTopology.build(
                TokenizerConfig.standard().withTopics(topics), flaky, new EnergyAudioEncoder(40, 8, 1), metrics), props)) {
            var in = driver.createInputTopic(topics.frames(), new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
            in.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 0, Scenes.background(32))));
            in.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 1, 4_000_000, Scenes.background(32))));
            assertThat(metrics.badRecords()).isEqualTo(1);
            assertThat(metrics.cellsEncoded()).isEqualTo(16); // the second frame is the stream's first good one
        }
    }
}
