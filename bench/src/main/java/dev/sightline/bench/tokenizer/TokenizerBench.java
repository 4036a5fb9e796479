package dev.sightline.bench.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frames per second through the tokenizer topology for each small tower with each reduction stage alone, all of
 * them and none, in one run. The configurations of a tower run in alternating rounds (the order rotates each round)
 * so that the load of a shared machine drifts over all of them alike; each configuration's figure is the median
 * round, and ratios are to "none" of the same tower.
 *
 * <p>Usage: {@code TokenizerBench [rounds (default 7)] [framesPerRound (default 24)] [towers (comma-separated,
 * default all)] [stage sets (comma-separated, default all; the first is the base of the ratios)]}, e.g.
 * {@code TokenizerBench 15 24 siglip-small none,gate} for the pixel gate on the SigLIP tower alone.
 */
public final class TokenizerBench {
    private TokenizerBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int framesPerRound = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        String[] towers = args.length > 2 ? args[2].split(",") : TokenizerRig.TOWERS;
        String[] stageSets = args.length > 3 ? args[3].split(",") : TokenizerRig.STAGES;
        System.out.println("| tower | stages | frames/s (median) | best | worst | vs none | video tokens out/frame"
                + " | tower calls/frame | cells asked/frame | patches encoded/frame | encoder GFLOP saved/frame"
                + " | tower ms/frame | encoder ms saved/frame |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String tower : towers) {
            List<TokenizerRig> rigs = new ArrayList<>();
            for (String stages : stageSets) {
                rigs.add(new TokenizerRig(tower, stages));
            }
            for (TokenizerRig rig : rigs) { // warm-up: JIT, and every stage past its first frames
                for (int i = 0; i < 2 * framesPerRound; i++) {
                    rig.frame();
                }
            }
            long[] warmFrames = rigs.stream().mapToLong(r -> r.metrics.framesIn()).toArray();
            long[] warmOut = rigs.stream().mapToLong(r -> r.metrics.framesOut()).toArray();
            long[] warmTokens = rigs.stream().mapToLong(r -> r.metrics.videoAllocation.tokensOut()).toArray();
            long[] warmCalls = rigs.stream().mapToLong(r -> r.metrics.framesEncoded()).toArray();
            long[] warmCells = rigs.stream().mapToLong(r -> r.metrics.cellsEncoded()).toArray();
            long[] warmSaved = rigs.stream().mapToLong(r -> r.metrics.encoderNanosSaved()).toArray();
            long[] warmPatches = rigs.stream().mapToLong(r -> r.metrics.patchesEncoded()).toArray();
            long[] warmFlops = rigs.stream().mapToLong(r -> r.metrics.encoderFlopsSaved()).toArray();
            long[] warmNanos = rigs.stream().mapToLong(r -> r.metrics.encoderNanos()).toArray();
            double[][] fps = new double[rigs.size()][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < rigs.size(); k++) {
                    int i = (k + round) % rigs.size();
                    long t0 = System.nanoTime();
                    for (int f = 0; f < framesPerRound; f++) {
                        rigs.get(i).frame();
                    }
                    fps[i][round] = framesPerRound / ((System.nanoTime() - t0) / 1e9);
                }
            }
            double base = median(fps[0]);
            for (int i = 0; i < rigs.size(); i++) {
                TokenizerRig r = rigs.get(i);
                double frames = r.metrics.framesIn() - warmFrames[i];
                double out = r.metrics.framesOut() - warmOut[i];
                double[] sorted = fps[i].clone();
                Arrays.sort(sorted);
                System.out.printf("| %s | %s | %.1f | %.1f | %.1f | %.2fx | %.1f | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f |%n",
                        tower,
                        r.stages, median(fps[i]), sorted[sorted.length - 1], sorted[0], median(fps[i]) / base,
                        (r.metrics.videoAllocation.tokensOut() - warmTokens[i]) / out,
                        (r.metrics.framesEncoded() - warmCalls[i]) / frames,
                        (r.metrics.cellsEncoded() - warmCells[i]) / frames,
                        (r.metrics.patchesEncoded() - warmPatches[i]) / frames,
                        (r.metrics.encoderFlopsSaved() - warmFlops[i]) / frames / 1e9,
                        (r.metrics.encoderNanos() - warmNanos[i]) / frames / 1e6,
                        (r.metrics.encoderNanosSaved() - warmSaved[i]) / frames / 1e6);
            }
            for (TokenizerRig r : rigs) {
                r.close();
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
