package dev.sightline.bench.kv;

import dev.sightline.kv.KvPool;
import dev.sightline.kv.PagedKvSequence;
import java.io.ByteArrayInputStream;
import java.util.Arrays;

/**
 * A quick timer of one compression pass per policy, for A/B work between JMH runs: the same memory as
 * {@link KvPassVsPrefillBenchmark}'s {@code compress} (|M| = 1536 down to |C| = 1024 per head), restored from one
 * snapshot before every pass, and each pass timed alone. Prints the best and the median of the passes.
 *
 * <p>Usage: {@code KvPassTimer [passes=60] policy...}
 */
public final class KvPassTimer {

    private KvPassTimer() {
    }

    public static void main(String[] args) throws Exception {
        int passes = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 60;
        String[] policies = Arrays.stream(args).filter(a -> !a.matches("\\d+")).toArray(String[]::new);
        if (policies.length == 0) {
            policies = new String[] {"knorm", "infinipot-v", "streammem", "adakv:snapkv"};
        }
        try (KvPool pool = KvPool.allocate(256L << 20)) {
            byte[][] snapshots = new byte[policies.length][];
            for (int p = 0; p < policies.length; p++) {
                snapshots[p] = KvPassVsPrefillBenchmark.filled(pool, policies[p], KvPassVsPrefillBenchmark.HIGH);
            }
            // policies interleaved pass by pass, so a noisy spell of the machine hits them all alike
            double[][] ms = new double[policies.length][passes];
            for (int i = -passes / 3; i < passes; i++) {
                for (int p = 0; p < policies.length; p++) {
                    try (PagedKvSequence memory = PagedKvSequence.restore(pool,
                            new ByteArrayInputStream(snapshots[p]))) {
                        long t0 = System.nanoTime();
                        memory.compressTo(KvPassVsPrefillBenchmark.LOW);
                        long t1 = System.nanoTime();
                        if (i >= 0) {
                            ms[p][i] = (t1 - t0) / 1e6;
                        }
                    }
                }
            }
            for (int p = 0; p < policies.length; p++) {
                double[] s = ms[p].clone();
                Arrays.sort(s);
                System.out.printf("%-22s best %6.3f ms  median %6.3f ms  (%d passes)%n", policies[p], s[0],
                        s[s.length / 2], passes);
            }
        }
    }
}
