package dev.sightline.tokenizer;

import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Ingest's ENDED/FAILED events flush a stream's waiting frames and delete its state. */
class StreamEndTest {

    private static byte[] event(String stream, StreamState state) {
        return SightlineSerdes.streamEvent().serializer().serialize("events",
                new StreamEvent(stream, state, 2, 1, 0, 0, 0, 1_000_000, "", 0));
    }

    @Test
    void anEndedStreamReleasesItsWaitingFramesAndForgetsItsState() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF
                .withTemporal(TemporalDrop.Config.DEFAULT).withAllocation(AudioGuidedAllocation.Config.DEFAULT))) {
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 500_000, Scenes.background(32))));
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 1, 1_000_000, Scenes.background(32))));
            h.audio.pipeInput("cam", Clips.bytes(Clips.tone("cam", 0, 0, 1.0, 0.5))); // half of window [0, 2 s)
            assertThat(h.tokens.readValuesToList()).extracting(TokenBatch::modality)
                    .containsExactly(TokenModality.AUDIO); // both frames still wait for the window's second half
            h.events.pipeInput("cam", event("cam", StreamState.RUNNING));
            assertThat(h.tokens.isEmpty()).isTrue();

            h.events.pipeInput("cam", event("cam", StreamState.ENDED));
            List<TokenBatch> out = h.tokens.readValuesToList();
            // the window's audio so far is loud (S = 0.7): budget 9; the second frame is at the temporal floor
            assertThat(out).extracting(b -> b.tokens().size()).containsExactly(9, 2);
            assertThat(h.errors.isEmpty()).isTrue();
            assertThat(h.driver.getKeyValueStore(FrameStagesProcessor.STORE).get("cam")).isNull();
            assertThat(h.driver.getKeyValueStore(AllocationProcessor.TIMELINE_STORE).get("cam")).isNull();
            assertThat(h.driver.getKeyValueStore(AllocationProcessor.PENDING_STORE).approximateNumEntries()).isZero();

            // the same id later starts afresh: its first frame is whole again
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 0, Scenes.background(32))));
            h.events.pipeInput("cam", event("cam", StreamState.FAILED));
            assertThat(h.tokens.readValuesToList()).extracting(b -> b.representedTokens()).containsExactly(16);
        }
    }

    @Test
    void anUndecodableEventIsReportedAndIgnored() {
        try (TopologyHarness h = TopologyHarness.with(StageSettings.ALL_OFF)) {
            h.events.pipeInput("cam", "{not json".getBytes());
            h.frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 0, Scenes.background(32))));
            assertThat(h.errors.readValue().sourceTopic()).isEqualTo(TopologyHarness.TOPICS.events());
            assertThat(h.tokens.readValuesToList()).hasSize(1);
        }
    }
}
