package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AudioGuidedAllocationTest {

    private static final AudioGuidedAllocation.Config CFG = AudioGuidedAllocation.Config.DEFAULT;

    @Test
    void videoBudgetFollowsOmniZipsRate() {
        assertThat(CFG.videoDropRate(0)).isEqualTo(0.75);
        assertThat(CFG.videoDropRate(1)).isEqualTo(0.35, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(CFG.videoBudget(0, 16)).isEqualTo(4);   // keep 25%
        assertThat(CFG.videoBudget(0.7, 16)).isEqualTo(9); // rho 0.47: ceil(0.53 * 16 = 8.48)
    }

    @Test
    void audioKeepsTheMostSalientLoudTokensAndMergesOrDropsTheRest() {
        List<Token> audio = List.of(
                new Token(new float[]{1, 0}, -1, -1, 0, 0, 1),        // silent: dropped
                new Token(new float[]{1, 0}, -1, -1, 0, 40_000, 1),   // 0.9 kept
                new Token(new float[]{0, 1}, -1, -1, 0, 80_000, 1),   // 0.8 kept
                new Token(new float[]{0, -1}, -1, -1, 0, 120_000, 1), // 0.5 kept
                new Token(new float[]{0.9f, 0.1f}, -1, -1, 0, 160_000, 1)); // 0.3: pruned, merges into #1
        AudioGuidedAllocation.AudioResult r =
                AudioGuidedAllocation.pruneAudio(CFG, audio, new float[]{0.1f, 0.9f, 0.8f, 0.5f, 0.3f});
        assertThat(r.keptFlags()).containsExactly(false, true, true, true, false);
        assertThat(r.tokens()).hasSize(3);
        assertThat(r.tokens().getFirst().mergedSize()).isEqualTo(2);
        assertThat(r.tokens().getFirst().ptsMicros()).isEqualTo(40_000);
        assertThat(r.merged()).isEqualTo(1);
        assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void aFrameOverBudgetKeepsItsMostDistinctiveTokensAndConservesMass() {
        List<Token> frame = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            float[] e = i == 5 ? new float[]{0, 1, 0} : i == 10 ? new float[]{0, 0, 1} : new float[]{1, 0.01f * i, 0};
            frame.add(new Token(e, i / 4, i % 4, 3, 0, 1));
        }
        List<Token> silent = AudioGuidedAllocation.allocateVideo(CFG, frame, 0, 16);
        assertThat(silent).hasSize(4);
        assertThat(silent).extracting(t -> t.patchRow() * 4 + t.patchCol()).contains(5, 10);
        assertThat(silent.stream().mapToInt(Token::mergedSize).sum()).isEqualTo(16);
        List<Token> loud = AudioGuidedAllocation.allocateVideo(CFG, frame, 1, 16);
        assertThat(loud).hasSize(11);
        assertThat(AudioGuidedAllocation.allocateVideo(CFG.withEnabled(false), frame, 0, 16)).hasSize(16);
    }
}
