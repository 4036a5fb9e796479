package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.sightline.ingest.SyntheticClipSpec;
import org.junit.jupiter.api.Test;

class ExpectedCountsTest {

    private static final SyntheticClipSpec TEN_SECONDS = SyntheticClipSpec.small(1, Duration.ofSeconds(10));

    @Test
    void framesAreDurationTimesFpsAndChunksDurationOverChunkLength() {
        ExpectedCounts e = ExpectedCounts.of(TEN_SECONDS, 1, Duration.ofSeconds(1));
        assertThat(e.frames()).isEqualTo(10);
        assertThat(e.fullAudioChunks()).isEqualTo(10);
        assertThat(e.restMicros()).isZero();
        assertThat(ExpectedCounts.of(TEN_SECONDS, 0.5, Duration.ofSeconds(2)).frames()).isEqualTo(5);
        assertThat(ExpectedCounts.of(TEN_SECONDS, 3, Duration.ofSeconds(1)).frames()).isEqualTo(30);
    }

    @Test
    void aClipThatIsNotWholeChunksEndsInOnePartialChunk() {
        ExpectedCounts e = ExpectedCounts.of(TEN_SECONDS, 1, Duration.ofMillis(300));
        assertThat(e.fullAudioChunks()).isEqualTo(33);
        assertThat(e.restMicros()).isEqualTo(100_000);
        assertThat(e.tailMatches(1, 117_000)).as("rest plus AAC padding").isTrue();
        assertThat(e.tailMatches(0, 0)).as("the rest is missing").isFalse();
        assertThat(e.tailMatches(2, 100_000)).as("two partial chunks").isFalse();
    }

    @Test
    void onlyAnAacFramesWorthOfPaddingIsAccepted() {
        ExpectedCounts e = ExpectedCounts.of(TEN_SECONDS, 1, Duration.ofSeconds(1));
        assertThat(e.paddingMicros()).isEqualTo(1024 * 1_000_000L / 48_000 + 1);
        assertThat(e.tailMatches(0, 0)).isTrue();
        assertThat(e.tailMatches(1, 4_000)).isTrue();
        assertThat(e.tailMatches(1, 250_000)).as("a quarter second of audio that is not in the clip").isFalse();
    }
}
