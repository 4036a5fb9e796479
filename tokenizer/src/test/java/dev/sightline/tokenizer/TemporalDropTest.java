package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TemporalDropTest {

    private static Token tok(int row, int col, float... e) {
        return new Token(e, row, col, 1, 0, 1);
    }

    /** A 2x5 grid: 10 cells; cell i's previous embedding is the unit vector on axis i % 3. */
    private static float[][] previous() {
        float[][] last = new float[10][];
        for (int i = 0; i < 10; i++) {
            last[i] = new float[3];
            last[i][i % 3] = 1;
        }
        return last;
    }

    private static List<Token> frame(int... changedCells) {
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            float[] e = new float[3];
            e[i % 3] = 1;
            for (int c : changedCells) {
                if (c == i) {
                    e[(i + 1) % 3] = 1; // cosine 0.707 with before
                }
            }
            out.add(tok(i / 5, i % 5, e));
        }
        return out;
    }

    @Test
    void dropsUnchangedPositionsAndKeepsChangedOnes() {
        float[][] last = previous();
        List<Token> kept = TemporalDrop.apply(TemporalDrop.Config.DEFAULT, frame(2, 7), 1, last, 5);
        assertThat(kept).extracting(t -> t.patchRow() * 5 + t.patchCol()).containsExactly(2, 7);
        assertThat(last[2]).isEqualTo(kept.get(0).embedding());
    }

    @Test
    void floorRefillsWithTheLeastSimilarDroppedTokens() {
        float[][] last = previous();
        last[4] = new float[]{0.5f, 0.5f, 1f}; // cell 4 now at cosine 0.816 with the frame: below theta? no, 0.816 < 0.9 -> kept
        TemporalDrop.Config cfg = new TemporalDrop.Config(true, 0.9, 0.3, 16); // floor 3 of 10
        List<Token> kept = TemporalDrop.apply(cfg, frame(), 1, last, 5);
        // cell 4 kept on its own; the floor adds cells 0 and 1 (all others at cosine 1, grid order breaks ties)
        assertThat(kept).extracting(t -> t.patchRow() * 5 + t.patchCol()).containsExactly(0, 1, 4);
    }

    @Test
    void keyframesAndFirstFramesStayWhole() {
        assertThat(TemporalDrop.apply(TemporalDrop.Config.DEFAULT, frame(), 16, previous(), 5)).hasSize(10);
        assertThat(TemporalDrop.apply(TemporalDrop.Config.DEFAULT, frame(), 0, previous(), 5)).hasSize(10);
        assertThat(TemporalDrop.apply(TemporalDrop.Config.DEFAULT, frame(), 1, new float[10][], 5)).hasSize(10);
        assertThat(TemporalDrop.apply(TemporalDrop.Config.OFF, frame(), 1, previous(), 5)).hasSize(10);
        // ordinal 1 with the default floor of 10% keeps exactly one token
        assertThat(TemporalDrop.apply(TemporalDrop.Config.DEFAULT, frame(), 1, previous(), 5)).hasSize(1);
    }
}
