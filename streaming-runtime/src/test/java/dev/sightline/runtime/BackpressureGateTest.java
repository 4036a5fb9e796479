package dev.sightline.runtime;

import dev.sightline.protocol.tokens.TokenBatch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackpressureGateTest {
    static final long MAX_LAG = 1000;

    private static TokenBatch frame(long seq) {
        return Fixtures.videoBatch("cam", seq, 1, 4, 2.0);
    }

    @Test
    void noneKeepsEverythingHoweverLate() {
        BackpressureGate gate = new BackpressureGate(BackpressurePolicy.NONE, MAX_LAG, 4);
        for (int i = 0; i < 10; i++) {
            assertThat(gate.drop(frame(i), 60_000)).isFalse();
        }
        assertThat(gate.takeEndedGap()).isEmpty();
    }

    @Test
    void dropOldestSkipsLateBatchesAndReportsOneGapWhenCaughtUp() {
        BackpressureGate gate = new BackpressureGate(BackpressurePolicy.DROP_OLDEST, MAX_LAG, 4);
        assertThat(gate.drop(frame(0), 10)).isFalse();
        assertThat(gate.takeEndedGap()).isEmpty();
        for (int i = 1; i <= 5; i++) {
            assertThat(gate.drop(frame(i), 5000)).isTrue();
        }
        assertThat(gate.drop(frame(6), 900)).isFalse();
        var gap = gate.takeEndedGap().orElseThrow();
        assertThat(gap.batches()).isEqualTo(5);
        assertThat(gap.firstSequence()).isEqualTo(1);
        assertThat(gap.lastSequence()).isEqualTo(5);
        assertThat(gap.fromPtsMicros()).isEqualTo(500_000);
        assertThat(gap.toPtsMicros()).isEqualTo(3_000_000);
        assertThat(gate.takeEndedGap()).as("reported once").isEmpty();
    }

    @Test
    void lowerFrameRateKeepsEveryStrideThFrameAndAllAudioWhileBehind() {
        BackpressureGate gate = new BackpressureGate(BackpressurePolicy.LOWER_FRAME_RATE, MAX_LAG, 4);
        int kept = 0;
        for (int i = 0; i < 12; i++) {
            if (!gate.drop(frame(i), 5000)) {
                kept++;
                assertThat(gate.takeEndedGap()).as("still behind: the gap goes on").isEmpty();
            }
        }
        assertThat(kept).isEqualTo(3);
        assertThat(gate.drop(Fixtures.audioBatch("cam", 0, 2, 4), 5000)).isFalse();
        assertThat(gate.drop(frame(12), 10)).isFalse();
        var gap = gate.takeEndedGap().orElseThrow();
        assertThat(gap.batches()).isEqualTo(9);
        assertThat(gap.firstSequence()).isEqualTo(1);
        assertThat(gap.lastSequence()).isEqualTo(11);
    }
}
