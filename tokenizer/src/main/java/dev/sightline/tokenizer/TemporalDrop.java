package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Stage 2, after the tower (DyCoke's temporal merging, TimeChat-Online's DTD): a token whose cosine with the same
 * grid position in the last frame where that position was kept exceeds {@code theta} is dropped: the model has
 * already seen it. Comparing to the last kept token (not merely the previous frame) bounds the drift a run of
 * drops can hide.
 *
 * <p>Two guards: every {@code keyframeEvery}-th frame of a stream (and its first) is kept whole, so a long static
 * scene is re-anchored; and each frame keeps at least {@code minKeepFraction} of its grid, refilled with the least
 * similar of the dropped tokens, so a frame never vanishes.
 */
public final class TemporalDrop {

    /**
     * @param enabled         off: nothing is dropped
     * @param theta           cosine above which a token is redundant; default 0.9 (DTD's 0.5 is aggressive, 0.8-0.9
     *                        conservative; a streaming camera loses little at 0.9)
     * @param minKeepFraction floor of kept tokens per frame as a fraction of the grid; default 0.1
     * @param keyframeEvery   keep every K-th frame whole; default 16 (0 = only the first frame)
     */
    public record Config(boolean enabled, double theta, double minKeepFraction, int keyframeEvery) {
        public static final Config DEFAULT = new Config(true, 0.9, 0.1, 16);
        public static final Config OFF = new Config(false, 0.9, 0.1, 16);

        public Config {
            if (minKeepFraction < 0 || minKeepFraction > 1 || keyframeEvery < 0) {
                throw new IllegalArgumentException("temporal drop: minKeepFraction in [0,1], keyframeEvery >= 0");
            }
        }

        boolean isKeyframe(long frameOrdinal) {
            return frameOrdinal == 0 || (keyframeEvery > 0 && frameOrdinal % keyframeEvery == 0);
        }
    }

    private TemporalDrop() {
    }

    /**
     * @param tokens       this frame's tokens, each at its grid cell
     * @param frameOrdinal how many frames of this stream came before (0 for the first)
     * @param lastKept     per cell, the embedding last kept there (null entries where none); updated in place
     * @return the kept tokens, in the input order
     */
    public static List<Token> apply(Config config, List<Token> tokens, long frameOrdinal, float[][] lastKept,
                                    int gridCols) {
        int gridCells = lastKept.length;
        boolean whole = !config.enabled() || config.isKeyframe(frameOrdinal);
        boolean[] keep = new boolean[tokens.size()];
        double[] sim = new double[tokens.size()];
        int kept = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            float[] ref = lastKept[t.patchRow() * gridCols + t.patchCol()];
            sim[i] = ref == null ? -1 : Vectors.cosine(t.embedding(), ref);
            keep[i] = whole || ref == null || sim[i] <= config.theta();
            if (keep[i]) {
                kept++;
            }
        }
        int floor = Math.min(tokens.size(), (int) Math.ceil(config.minKeepFraction() * gridCells - 1e-9));
        if (kept < floor) {
            List<Integer> dropped = new ArrayList<>();
            for (int i = 0; i < keep.length; i++) {
                if (!keep[i]) {
                    dropped.add(i);
                }
            }
            // Refill with the most changed first; ties by grid order so the result is deterministic.
            dropped.sort(Comparator.<Integer>comparingDouble(i -> sim[i]).thenComparingInt(i -> i));
            for (int j = 0; j < floor - kept; j++) {
                keep[dropped.get(j)] = true;
            }
        }
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (keep[i]) {
                Token t = tokens.get(i);
                out.add(t);
                lastKept[t.patchRow() * gridCols + t.patchCol()] = t.embedding();
            }
        }
        return out;
    }
}
