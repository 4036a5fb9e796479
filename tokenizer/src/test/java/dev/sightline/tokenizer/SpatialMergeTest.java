package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SpatialMergeTest {

    @Test
    void mergesTheMostSimilarPairWithASizeWeightedMeanAndKeepsTheRest() {
        Token t0 = new Token(new float[]{1, 0}, 0, 0, 4, 40, 3);
        Token t1 = new Token(new float[]{1, 0.2f}, 0, 1, 4, 40, 1);
        Token t2 = new Token(new float[]{0, 1}, 1, 0, 4, 40, 1);
        Token t3 = new Token(new float[]{-1, 0}, 1, 1, 4, 40, 1);
        // A = {t0, t2}, B = {t1, t3}: only t0->t1 passes minSimilarity 0.8, although r = 2.
        List<Token> out = SpatialMerge.apply(new SpatialMerge.Config(true, 0.5, 0.8), List.of(t3, t2, t1, t0));
        assertThat(out).hasSize(3);
        Token merged = out.getFirst();
        assertThat(merged.patchRow()).isZero();
        assertThat(merged.patchCol()).isEqualTo(1);                  // B's position
        assertThat(merged.mergedSize()).isEqualTo(4);
        assertThat(merged.embedding()).containsExactly(1f, 0.05f);   // (3*[1,0] + 1*[1,0.2]) / 4
        assertThat(out.subList(1, 3)).containsExactly(t2, t3);
    }

    @Test
    void mergesAtMostRPairsAndConservesSize() {
        List<Token> same = List.of(
                new Token(new float[]{1, 0}, 0, 0, 0, 0, 1), new Token(new float[]{1, 0}, 0, 1, 0, 0, 1),
                new Token(new float[]{1, 0}, 0, 2, 0, 0, 1), new Token(new float[]{1, 0}, 0, 3, 0, 0, 1),
                new Token(new float[]{1, 0}, 1, 0, 0, 0, 1), new Token(new float[]{1, 0}, 1, 1, 0, 0, 1),
                new Token(new float[]{1, 0}, 1, 2, 0, 0, 1), new Token(new float[]{1, 0}, 1, 3, 0, 0, 1));
        List<Token> out = SpatialMerge.apply(SpatialMerge.Config.DEFAULT, same); // r = floor(0.25 * 8) = 2
        assertThat(out).hasSize(6);
        assertThat(out.stream().mapToInt(Token::mergedSize).sum()).isEqualTo(8);
        assertThat(SpatialMerge.apply(SpatialMerge.Config.OFF, same)).hasSize(8);
    }
}
