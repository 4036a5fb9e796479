package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each stage inside the real topology, with exact expectations on a 4x4 grid (cell index = row * 4 + col). */
class TokenizerTopologyTest {

    private static final TemporalDrop.Config TEMPORAL_NO_FLOOR = new TemporalDrop.Config(true, 0.9, 0.0, 0);

    private static List<Integer> cells(TokenBatch b) {
        return b.tokens().stream().map(t -> t.patchRow() * 4 + t.patchCol()).toList();
    }

    /** Frame 0 has the square in cell 5, frame 1 in cell 6, over the same static background. */
    private static void sendMovingSquare(TopologyHarness h, String stream) {
        h.frames.pipeInput(stream, Clips.bytes(Clips.rgbFrame(stream, 0, 0, Scenes.squareAt(32, 8, 8, 8))));
        h.frames.pipeInput(stream, Clips.bytes(Clips.rgbFrame(stream, 1, 500_000, Scenes.squareAt(32, 16, 8, 8))));
    }

    @Test
    void pixelGateWithTemporalDropKeepsOnlyTheCellsTheSquareLeftAndEntered() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF
                .withGate(PixelGate.Config.DEFAULT).withTemporal(TEMPORAL_NO_FLOOR))) {
            sendMovingSquare(h, "cam");
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(out).hasSize(2);
            assertThat(out.get(0).tokens()).hasSize(16);
            assertThat(cells(out.get(1))).containsExactly(5, 6);
            assertThat(out.get(1).sequence()).isEqualTo(1);
            assertThat(out.get(1).tokens()).allMatch(t -> t.frameIndex() == 1 && t.ptsMicros() == 500_000);
            // the tower saw 16 + 2 cells; 14 were reused
            assertThat(h.metrics.cellsEncoded()).isEqualTo(18);
            assertThat(h.metrics.cellsSkipped()).isEqualTo(14);
            assertThat(h.metrics.encoderNanosSaved()).isPositive();
            assertThat(h.metrics.pixelGate.tokensOut()).isEqualTo(32);   // REUSE keeps every position
            assertThat(h.metrics.temporalDrop.tokensOut()).isEqualTo(18);
        }
    }

    @Test
    void pixelGateInDropModeAloneEmitsOnlyChangedCells() {
        PixelGate.Config drop = new PixelGate.Config(true, 0.02, PixelGate.StaticCell.DROP, 8);
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF.withGate(drop))) {
            sendMovingSquare(h, "cam");
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(cells(out.get(1))).containsExactly(5, 6);
            assertThat(h.metrics.cellsSkipped()).isEqualTo(14);
        }
    }

    @Test
    void temporalDropAloneDropsTheStaticBackgroundFromTheTowersOutput() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF.withTemporal(TEMPORAL_NO_FLOOR))) {
            sendMovingSquare(h, "cam");
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(cells(out.get(1))).containsExactly(5, 6);
            assertThat(h.metrics.cellsSkipped()).isZero();
            assertThat(h.metrics.cellsEncoded()).isEqualTo(32);
        }
    }

    @Test
    void temporalFloorAndKeyframesInTheTopology() {
        // floor 25% of 16 = 4 tokens; keyframe every 3rd frame.
        TemporalDrop.Config cfg = new TemporalDrop.Config(true, 0.9, 0.25, 3);
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF.withTemporal(cfg))) {
            for (int i = 0; i < 4; i++) {
                h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", i, i * 500_000L, Scenes.background(32))));
            }
            assertThat(h.tokens.readValuesToList()).extracting(b -> b.tokens().size()).containsExactly(16, 4, 4, 16);
        }
    }

    @Test
    void spatialMergeAloneMergesAQuarterOfAFlatFrameAndCarriesSizes() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF
                .withSpatial(new SpatialMerge.Config(true, 0.25, 0.0)))) {
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 0, Scenes.background(32))));
            TokenBatch b = h.tokens.readValue();
            assertThat(b.tokens()).hasSize(12);
            assertThat(b.representedTokens()).isEqualTo(16);
            assertThat(b.tokens().stream().filter(t -> t.mergedSize() > 1).mapToInt(Token::mergedSize).sum())
                    .isBetween(5, 8);
            assertThat(b.sourceTokens()).isEqualTo(16);
        }
    }

    @Test
    void stagesAreSwitchedPerStream() {
        TokenizerConfig cfg = TokenizerConfig.standard()
                .withDefaults(StageSettings.ALL_OFF.withGate(PixelGate.Config.DEFAULT).withTemporal(TEMPORAL_NO_FLOOR))
                .withStream("raw-cam", StageSettings.ALL_OFF);
        try (TopologyHarness h = new TopologyHarness(cfg)) {
            sendMovingSquare(h, "cam");
            sendMovingSquare(h, "raw-cam");
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(out).filteredOn(b -> b.streamId().equals("cam")).extracting(b -> b.tokens().size())
                    .containsExactly(16, 2);
            assertThat(out).filteredOn(b -> b.streamId().equals("raw-cam")).extracting(b -> b.tokens().size())
                    .containsExactly(16, 16);
        }
    }

    @Test
    void aLoudAudioWindowKeepsMoreVideoTokensThanASilentOne() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF
                .withAllocation(AudioGuidedAllocation.Config.DEFAULT))) {
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 500_000, Scenes.background(32))));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 1, 2_500_000, Scenes.background(32))));
            assertThat(h.tokens.isEmpty()).isTrue(); // both wait for their window's audio
            h.audio.pipeInput("cam", Clips.bytes(Clips.tone("cam", 0, 0, 2.0, 0.5)));       // loud [0, 2 s)
            h.audio.pipeInput("cam", Clips.bytes(Clips.tone("cam", 1, 2_000_000, 2.0, 0))); // silent [2, 4 s)
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(out).extracting(TokenBatch::modality).containsExactly(
                    TokenModality.VIDEO, TokenModality.AUDIO, TokenModality.VIDEO, TokenModality.AUDIO);
            // loud: 35 of 50 audio tokens kept, S = 0.7, rho = 0.47, budget ceil(0.53 * 16) = 9
            assertThat(out.get(0).tokens()).hasSize(9);
            assertThat(out.get(0).representedTokens()).isEqualTo(16);
            assertThat(out.get(1).tokens()).hasSize(35);
            assertThat(out.get(1).sourceTokens()).isEqualTo(50);
            // silent: no audio kept, S = 0, rho = 0.75, budget 4
            assertThat(out.get(2).tokens()).hasSize(4);
            assertThat(out.get(3).tokens()).isEmpty();
            assertThat(h.errors.isEmpty()).isTrue();
            assertThat(h.metrics.fallbackFrames()).isZero();
        }
    }

    @Test
    void missingAudioForAWindowFallsBackReportsOnceAndTheStreamGoesOn() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF
                .withAllocation(AudioGuidedAllocation.Config.DEFAULT))) {
            h.audio.pipeInput("cam", Clips.bytes(Clips.tone("cam", 0, 0, 2.0, 0.5)));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 500_000, Scenes.background(32))));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 1, 2_500_000, Scenes.background(32))));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 2, 3_500_000, Scenes.background(32))));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 3, 6_000_000, Scenes.background(32))));
            // window [2 s, 4 s) never got audio; video at 6 s is past its end plus 2 s grace
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(out).extracting(TokenBatch::modality).containsExactly(
                    TokenModality.AUDIO, TokenModality.VIDEO, TokenModality.VIDEO, TokenModality.VIDEO);
            assertThat(out.get(1).tokens()).hasSize(9);
            // fallback S = 0.5: rho = 0.55, budget ceil(0.45 * 16) = 8
            assertThat(out.get(2).tokens()).hasSize(8);
            assertThat(out.get(3).tokens()).hasSize(8);
            var errors = h.errors.readValuesToList();
            assertThat(errors).hasSize(1);
            assertThat(errors.getFirst().reason()).contains("audio missing for window [2000000, 4000000)");
            assertThat(errors.getFirst().streamId()).isEqualTo("cam");
            // the frame at 6 s waits; wall-clock time past maxAudioWait releases it too
            h.driver.advanceWallClockTime(java.time.Duration.ofSeconds(11));
            assertThat(h.tokens.readValuesToList()).hasSize(1);
            assertThat(h.metrics.fallbackFrames()).isEqualTo(3);
            assertThat(h.errors.readValuesToList()).hasSize(1); // window [6 s, 8 s)
        }
    }

    @Test
    void aStreamWithoutAudioGetsTheFallbackWithoutErrors() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF
                .withAllocation(AudioGuidedAllocation.Config.DEFAULT))) {
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 0, Scenes.background(32))));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 1, 4_000_000, Scenes.background(32))));
            assertThat(h.tokens.readValuesToList()).extracting(b -> b.tokens().size()).containsExactly(8);
            assertThat(h.errors.isEmpty()).isTrue();
        }
    }

    @Test
    void allStagesTogetherOnAMovingSquare() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.DEFAULTS
                .withAllocation(AudioGuidedAllocation.Config.OFF))) {
            for (int i = 0; i < 6; i++) {
                h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", i, i * 500_000L,
                        Scenes.squareAt(32, 8 * (i % 4), 8, 8))));
            }
            List<TokenBatch> out = h.tokens.readValuesToList();
            assertThat(out).hasSize(6);
            int total = out.stream().mapToInt(b -> b.tokens().size()).sum();
            assertThat(total).isLessThan(6 * 16 / 2);
            assertThat(h.metrics.spatialMerge.tokensIn()).isEqualTo(h.metrics.temporalDrop.tokensOut());
            var kafkaMetrics = h.driver.metrics().entrySet().stream()
                    .filter(e -> e.getKey().group().equals(StageMeter.GROUP)
                            && e.getKey().name().equals("tokens-in-total")
                            && "pixel-gate".equals(e.getKey().tags().get("stage")))
                    .map(e -> (Double) e.getValue().metricValue()).toList();
            assertThat(kafkaMetrics).containsExactly(96.0);
        }
    }
}
