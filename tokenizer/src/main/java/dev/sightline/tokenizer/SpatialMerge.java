package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Stage 3, within one frame (ToMe's bipartite soft matching): split the frame's tokens alternately into sets A and
 * B (in grid order), give each A token its most similar B token by cosine, and merge the {@code r} most similar
 * pairs, r = floor(mergeFraction x tokens). A merged token is the size-weighted mean of its parts, keeps the B
 * token's grid position and carries the summed size, so later stages and kv-memory's proportional attention
 * (log of the merged size) still count it right. Several A tokens may merge into one B.
 *
 * <p>ToMe matches on attention keys inside the ViT; here we only see the tower's outputs, so the embeddings
 * themselves are compared. Pairs below {@code minSimilarity} are never merged: a busy frame keeps its detail.
 */
public final class SpatialMerge {

    /**
     * @param enabled       off: nothing merges
     * @param mergeFraction at most this fraction of a frame's tokens is merged away; default 0.25
     * @param minSimilarity cosine a pair needs to merge; default 0.8
     */
    public record Config(boolean enabled, double mergeFraction, double minSimilarity) {
        public static final Config DEFAULT = new Config(true, 0.25, 0.8);
        public static final Config OFF = new Config(false, 0.25, 0.8);

        public Config {
            if (mergeFraction < 0 || mergeFraction > 0.5) {
                throw new IllegalArgumentException("spatial merge fraction must be in [0, 0.5] (only half the tokens"
                        + " are in A), got " + mergeFraction);
            }
        }
    }

    private SpatialMerge() {
    }

    /** @return the tokens after merging, in grid order */
    public static List<Token> apply(Config config, List<Token> tokens) {
        int n = tokens.size();
        int r = (int) Math.floor(config.mergeFraction() * n);
        if (!config.enabled() || r == 0 || n < 2) {
            return tokens;
        }
        List<Token> sorted = new ArrayList<>(tokens);
        sorted.sort(GRID_ORDER);
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (i % 2 == 0 ? a : b).add(i);
        }
        int[] bestB = new int[a.size()];
        double[] bestSim = new double[a.size()];
        for (int i = 0; i < a.size(); i++) {
            float[] ea = sorted.get(a.get(i)).embedding();
            bestSim[i] = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < b.size(); j++) {
                double s = Vectors.cosine(ea, sorted.get(b.get(j)).embedding());
                if (s > bestSim[i]) {
                    bestSim[i] = s;
                    bestB[i] = j;
                }
            }
        }
        List<Integer> edges = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            edges.add(i);
        }
        edges.sort(Comparator.<Integer>comparingDouble(i -> -bestSim[i]).thenComparingInt(i -> i));
        Token[] merged = new Token[n];
        for (int i = 0; i < n; i++) {
            merged[i] = sorted.get(i);
        }
        int done = 0;
        for (int e : edges) {
            if (done == r || bestSim[e] < config.minSimilarity()) {
                break;
            }
            int from = a.get(e);
            int into = b.get(bestB[e]);
            merged[into] = Vectors.merge(merged[into], merged[from]);
            merged[from] = null;
            done++;
        }
        List<Token> out = new ArrayList<>(n - done);
        for (Token t : merged) {
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    static final Comparator<Token> GRID_ORDER =
            Comparator.comparingInt(Token::patchRow).thenComparingInt(Token::patchCol);
}
