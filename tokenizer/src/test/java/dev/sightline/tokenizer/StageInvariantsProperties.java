package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What every stage promises whatever the embeddings: mass is conserved, budgets and floors hold, origins stay. */
class StageInvariantsProperties {

    /** A 6x6 frame's tokens at distinct cells (a random subset), with random 4-d embeddings and sizes 1..3. */
    @Provide
    Arbitrary<List<Token>> frames() {
        Arbitrary<float[]> emb = Arbitraries.floats().between(-1, 1).array(float[].class).ofSize(4)
                .filter(e -> e[0] != 0 || e[1] != 0 || e[2] != 0 || e[3] != 0);
        return Arbitraries.integers().between(0, 35).set().ofMinSize(1).ofMaxSize(36).flatMap(cells ->
                emb.list().ofSize(cells.size()).flatMap(es -> Arbitraries.integers().between(1, 3)
                        .list().ofSize(cells.size()).map(sizes -> {
                            List<Token> out = new ArrayList<>();
                            int i = 0;
                            for (int c : cells) {
                                out.add(new Token(es.get(i), c / 6, c % 6, 0, 0, sizes.get(i)));
                                i++;
                            }
                            return out;
                        })));
    }

    private static int mass(List<Token> ts) {
        return ts.stream().mapToInt(Token::mergedSize).sum();
    }

    private static Set<Integer> cells(List<Token> ts) {
        Set<Integer> s = new HashSet<>();
        ts.forEach(t -> s.add(t.patchRow() * 6 + t.patchCol()));
        return s;
    }

    @Property(tries = 200)
    void spatialMergeConservesMassAndMergesAtMostR(@ForAll("frames") List<Token> frame,
                                                   @ForAll @DoubleRange(min = 0, max = 0.5) double fraction,
                                                   @ForAll @DoubleRange(min = -1, max = 1) double minSim) {
        List<Token> out = SpatialMerge.apply(new SpatialMerge.Config(true, fraction, minSim), frame);
        org.assertj.core.api.Assertions.assertThat(mass(out)).isEqualTo(mass(frame));
        org.assertj.core.api.Assertions.assertThat(out.size()).isGreaterThanOrEqualTo(frame.size() - (int) Math.floor(fraction * frame.size()));
        org.assertj.core.api.Assertions.assertThat(cells(frame)).containsAll(cells(out));
    }

    @Property(tries = 200)
    void videoAllocationKeepsTheBudgetAndConservesMass(@ForAll("frames") List<Token> frame,
                                                       @ForAll @DoubleRange(min = 0, max = 1) double salience) {
        AudioGuidedAllocation.Config cfg = AudioGuidedAllocation.Config.DEFAULT;
        List<Token> out = AudioGuidedAllocation.allocateVideo(cfg, frame, salience, 36);
        org.assertj.core.api.Assertions.assertThat(out).hasSize(Math.min(frame.size(), cfg.videoBudget(salience, 36)));
        org.assertj.core.api.Assertions.assertThat(mass(out)).isEqualTo(mass(frame));
        org.assertj.core.api.Assertions.assertThat(cells(frame)).containsAll(cells(out));
    }

    @Property(tries = 200)
    void temporalDropKeepsTheFloor(@ForAll("frames") List<Token> frame, @ForAll("frames") List<Token> previous,
                                   @ForAll @DoubleRange(min = -1, max = 1) double theta,
                                   @ForAll @IntRange(min = 0, max = 36) int floorCells) {
        float[][] lastKept = new float[36][];
        previous.forEach(t -> lastKept[t.patchRow() * 6 + t.patchCol()] = t.embedding());
        TemporalDrop.Config cfg = new TemporalDrop.Config(true, theta, floorCells / 36.0, 0);
        List<Token> out = TemporalDrop.apply(cfg, frame, 1, lastKept, 6);
        org.assertj.core.api.Assertions.assertThat(out.size()).isGreaterThanOrEqualTo(Math.min(frame.size(), floorCells));
        for (Token t : out) { // whatever is kept becomes the new reference for its cell
            org.assertj.core.api.Assertions.assertThat(lastKept[t.patchRow() * 6 + t.patchCol()]).isSameAs(t.embedding());
        }
    }
}
