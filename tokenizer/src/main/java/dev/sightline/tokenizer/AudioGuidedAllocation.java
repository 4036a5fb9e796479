package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Stage 4 (as OmniZip does): audio decides how much video to keep.
 *
 * <p><b>Audio.</b> Within each chunk, tokens quieter than {@code silenceFloor} are dropped; of the rest, the
 * {@code 1 - audioPruneFraction} most salient are kept, and each other one merges (size-weighted) into its most
 * similar kept token when their cosine reaches {@code audioMergeMinSimilarity}, else it is dropped.
 *
 * <p><b>Video.</b> A time window's audio salience S is the fraction of its audio tokens kept. The window's video
 * drop rate is rho(S) = clip(base - slope * S, minDrop, maxDrop) (OmniZip: 0.75 - 0.40 S clipped to [0.35, 0.75]),
 * so a frame keeps at most ceil((1 - rho) x grid) tokens: dense audio, lighter video pruning. Over budget, the
 * frame keeps its most distinctive tokens (lowest best cosine to any other token of the frame) and merges each other
 * token into its most similar kept one, so nothing's mass vanishes. Unlike OmniZip, rho is not rescaled to a global
 * mean: a live stream has no "whole video" to rescale over.
 */
public final class AudioGuidedAllocation {

    /**
     * @param enabled                 off: audio and video pass unchanged and video never waits for audio
     * @param windowMicros            time window audio and video are matched in; default 2 s (OmniZip's chunk)
     * @param silenceFloor            audio salience under which a token is silence; default 0.25 (about -45 dBFS
     *                                with the energy salience)
     * @param audioPruneFraction      fraction of non-silent audio tokens pruned (rho_a); default 0.3
     * @param audioMergeMinSimilarity cosine a pruned audio token needs to merge instead of vanishing; default 0.5
     * @param base                    default 0.75
     * @param slope                   default 0.40
     * @param minDrop                 default 0.35
     * @param maxDrop                 default 0.75
     * @param fallbackSalience        S used when a window's audio never arrives; default 0.5 (a middle budget)
     * @param graceMicros             how far past a window's end the video may run before the window's audio counts
     *                                as missing; default 2 s
     */
    public record Config(boolean enabled, long windowMicros, double silenceFloor, double audioPruneFraction,
                         double audioMergeMinSimilarity, double base, double slope, double minDrop, double maxDrop,
                         double fallbackSalience, long graceMicros) {
        public static final Config DEFAULT =
                new Config(true, 2_000_000, 0.25, 0.3, 0.5, 0.75, 0.40, 0.35, 0.75, 0.5, 2_000_000);
        public static final Config OFF = DEFAULT.withEnabled(false);

        public Config {
            if (windowMicros < 1 || minDrop < 0 || maxDrop > 1 || minDrop > maxDrop
                    || audioPruneFraction < 0 || audioPruneFraction > 1 || graceMicros < 0) {
                throw new IllegalArgumentException("audio-guided allocation: need windowMicros >= 1, graceMicros >= 0,"
                        + " 0 <= minDrop <= maxDrop <= 1 and audioPruneFraction in [0, 1]");
            }
        }

        public Config withEnabled(boolean on) {
            return new Config(on, windowMicros, silenceFloor, audioPruneFraction, audioMergeMinSimilarity, base,
                    slope, minDrop, maxDrop, fallbackSalience, graceMicros);
        }

        /** Video drop rate for a window with audio salience {@code s}. */
        public double videoDropRate(double s) {
            return Math.clamp(base - slope * s, minDrop, maxDrop);
        }

        /** Most tokens a frame of {@code gridTokens} keeps in a window of salience {@code s}. */
        public int videoBudget(double s, int gridTokens) {
            return (int) Math.ceil((1 - videoDropRate(s)) * gridTokens - 1e-9);
        }

        public long windowOf(long ptsMicros) {
            return Math.floorDiv(ptsMicros, windowMicros);
        }
    }

    private AudioGuidedAllocation() {
    }

    /** The audio tokens kept, and for each input token whether it counted as kept (for window salience). */
    public record AudioResult(List<Token> tokens, boolean[] keptFlags, int merged, int dropped) {
    }

    public static AudioResult pruneAudio(Config config, List<Token> tokens, float[] salience) {
        int n = tokens.size();
        boolean[] kept = new boolean[n];
        if (!config.enabled()) {
            java.util.Arrays.fill(kept, true);
            return new AudioResult(tokens, kept, 0, 0);
        }
        List<Integer> loud = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (salience[i] >= config.silenceFloor()) {
                loud.add(i);
            }
        }
        int keep = (int) Math.ceil((1 - config.audioPruneFraction()) * loud.size() - 1e-9);
        loud.sort(Comparator.<Integer>comparingDouble(i -> -salience[i]).thenComparingInt(i -> i));
        for (int j = 0; j < keep; j++) {
            kept[loud.get(j)] = true;
        }
        Token[] out = new Token[n];
        for (int i = 0; i < n; i++) {
            if (kept[i]) {
                out[i] = tokens.get(i);
            }
        }
        int merged = 0;
        for (int j = keep; j < loud.size(); j++) {
            int i = loud.get(j);
            int best = -1;
            double bestSim = config.audioMergeMinSimilarity();
            for (int k = 0; k < n; k++) {
                if (kept[k]) {
                    double s = Vectors.cosine(tokens.get(i).embedding(), tokens.get(k).embedding());
                    if (s >= bestSim) {
                        bestSim = s;
                        best = k;
                    }
                }
            }
            if (best >= 0) {
                out[best] = Vectors.merge(out[best], tokens.get(i));
                merged++;
            }
        }
        List<Token> result = new ArrayList<>();
        for (Token t : out) {
            if (t != null) {
                result.add(t);
            }
        }
        return new AudioResult(result, kept, merged, n - keep - merged);
    }

    /**
     * Caps one frame's tokens at its window's budget.
     *
     * @param salience   the window's audio salience S in [0, 1]
     * @param gridTokens the frame's full grid size (the budget is a share of the grid, not of what is left)
     * @return the frame's tokens, in grid order
     */
    public static List<Token> allocateVideo(Config config, List<Token> tokens, double salience, int gridTokens) {
        int budget = config.videoBudget(salience, gridTokens);
        if (!config.enabled() || tokens.size() <= budget) {
            return tokens;
        }
        int n = tokens.size();
        double[][] sim = new double[n][n];
        double[] crowding = new double[n];
        for (int i = 0; i < n; i++) {
            crowding[i] = Double.NEGATIVE_INFINITY;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = Vectors.cosine(tokens.get(i).embedding(), tokens.get(j).embedding());
                sim[i][j] = s;
                sim[j][i] = s;
                crowding[i] = Math.max(crowding[i], s);
                crowding[j] = Math.max(crowding[j], s);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        // Most distinctive first; a token that stands for more originals wins a tie.
        order.sort(Comparator.<Integer>comparingDouble(i -> crowding[i])
                .thenComparingInt(i -> -tokens.get(i).mergedSize()).thenComparingInt(i -> i));
        boolean[] kept = new boolean[n];
        for (int j = 0; j < budget; j++) {
            kept[order.get(j)] = true;
        }
        Token[] out = new Token[n];
        for (int i = 0; i < n; i++) {
            if (kept[i]) {
                out[i] = tokens.get(i);
            }
        }
        if (budget > 0) {
            for (int i = 0; i < n; i++) {
                if (kept[i]) {
                    continue;
                }
                int best = -1;
                for (int k = 0; k < n; k++) {
                    if (kept[k] && (best < 0 || sim[i][k] > sim[i][best])) {
                        best = k;
                    }
                }
                out[best] = Vectors.merge(out[best], tokens.get(i));
            }
        }
        List<Token> result = new ArrayList<>(budget);
        for (Token t : out) {
            if (t != null) {
                result.add(t);
            }
        }
        result.sort(SpatialMerge.GRID_ORDER);
        return result;
    }
}
