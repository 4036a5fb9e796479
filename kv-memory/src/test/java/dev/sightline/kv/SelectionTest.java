package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Top-k selection (quickselect) puts exactly the set a full sort would put at the top, for every kind of score. */
class SelectionTest {

    @Property(tries = 300)
    void partitionTopKeepsTheSameSetAsAFullSort(@ForAll @IntRange(min = 1, max = 3000) int m,
                                               @ForAll @IntRange(min = 0, max = 3000) int fromSeed,
                                               @ForAll @IntRange(min = 0, max = 5) int kind,
                                               @ForAll @IntRange(min = 0, max = 100_000) int seed) {
        Random random = new Random(seed);
        long[] keys = new long[m];
        for (int i = 0; i < m; i++) {
            keys[i] = Selection.sortKey(score(kind, random), i);
        }
        int from = fromSeed % (m + 1);
        long[] sorted = keys.clone();
        Arrays.sort(sorted);
        long[] work = keys.clone();

        Selection.partitionTop(work, m, from);

        long[] top = Arrays.copyOfRange(work, from, m);
        Arrays.sort(top);
        assertThat(top).containsExactly(Arrays.copyOfRange(sorted, from, m));
        long[] rest = Arrays.copyOfRange(work, 0, from);
        Arrays.sort(rest);
        assertThat(rest).containsExactly(Arrays.copyOfRange(sorted, 0, from));
    }

    /** Scores as policies make them: spread, clustered (norms of similar size), tied, signed zeros, NaN, extremes. */
    private static float score(int kind, Random random) {
        return switch (kind) {
            case 0 -> (float) random.nextGaussian();
            case 1 -> 8f + 1e-3f * (float) random.nextGaussian();
            case 2 -> random.nextInt(3);
            case 3 -> random.nextBoolean() ? 0f : -0f;
            case 4 -> random.nextInt(10) == 0 ? Float.NaN : random.nextFloat() * 1e-30f;
            default -> switch (random.nextInt(4)) {
                case 0 -> Float.MAX_VALUE;
                case 1 -> Float.NEGATIVE_INFINITY;
                case 2 -> 1e7f + random.nextInt(100);
                default -> -random.nextFloat();
            };
        };
    }
}
