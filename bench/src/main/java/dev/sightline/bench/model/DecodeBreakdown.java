package dev.sightline.bench.model;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.model.ComputeThreads;
import dev.sightline.model.DecodeProfile;
import dev.sightline.model.Model;
import dev.sightline.model.TextConfig;
import dev.sightline.model.TextDecoder;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench decode-breakdown}: where a BF16 decode step of the random SmolLM2-135M-shaped checkpoint spends its
 * time, part by part ({@link DecodeProfile}): the matrix-vector products (with the read rate each reaches on its
 * own weight bytes) against attention over the KV cache, norms, RoPE and the rest, next to the machine's
 * streaming read rate with the same thread count, measured in the same process. Complements
 * {@link DecodeRoofline}, which times whole steps without the profiler's clock reads.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.sightline.bench.model.DecodeBreakdown [workDir]
 * [rounds=3] [prefillTokens=128] [decodeTokens=32]}.
 */
public final class DecodeBreakdown {

    private DecodeBreakdown() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/sightline-bench-model");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int prefill = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int decode = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int cores = Runtime.getRuntime().availableProcessors();
        int[] threadCounts = cores > 1 ? new int[]{1, 2} : new int[]{1};
        Path llama = RandomCheckpoints.smolLm2(work.resolve("smollm2-135m"));
        try (MemoryBandwidth bw = new MemoryBandwidth(1L << 30, threadCounts[threadCounts.length - 1]);
             Model model = Model.load(llama, new Model.Options(false))) {
            TextDecoder d = model.decoder();
            Map<DecodeProfile.Part, Long> bytes = matrixBytes(d.config());
            int[] prompt = new Random(1).ints(prefill, 0, d.vocabSize()).toArray();
            for (int t : threadCounts) { // warm-up: JIT the kernels
                ComputeThreads.setThreads(t);
                ComputeThreads.setDecodeThreads(t);
                run(d, java.util.Arrays.copyOf(prompt, 32), 8);
            }
            DecodeProfile.enable(true);
            // Configurations: {threads, prefetch (1) or not (0)}, interleaved round by round so that load from other
            // processes falls on all of them alike.
            List<int[]> configs = new java.util.ArrayList<>();
            configs.add(new int[]{1, 0});
            if (cores > 1) {
                configs.add(new int[]{2, 1});
                configs.add(new int[]{2, 0});
            }
            long stepBytes = d.weightBytesPerToken() + 2L * d.hiddenSize();
            int k = configs.size();
            double[] read = new double[k];
            long[] bestTotal = new long[k];
            java.util.Arrays.fill(bestTotal, Long.MAX_VALUE);
            List<Map<DecodeProfile.Part, Long>> best = new java.util.ArrayList<>(java.util.Collections.nCopies(k,
                    (Map<DecodeProfile.Part, Long>) null));
            List<List<Double>> ratios = new java.util.ArrayList<>();
            for (int c = 0; c < k; c++) {
                ratios.add(new java.util.ArrayList<>());
            }
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < k; c++) {
                    int t = configs.get(c)[0];
                    ComputeThreads.setThreads(t);
                    ComputeThreads.setDecodeThreads(t);
                    ComputeThreads.setDecodePrefetch(configs.get(c)[1] == 1);
                    double before = bw.readBytes(t, stepBytes * decode);
                    DecodeProfile.reset();
                    run(d, prompt, decode);
                    Map<DecodeProfile.Part, Long> ns = DecodeProfile.nanos();
                    long total = ns.values().stream().mapToLong(Long::longValue).sum();
                    double after = bw.readBytes(t, stepBytes * decode);
                    read[c] = Math.max(read[c], Math.max(before, after));
                    ratios.get(c).add(stepBytes * decode / (total / 1e9) / Math.max(before, after));
                    if (total < bestTotal[c]) { // the round least disturbed by other processes
                        bestTotal[c] = total;
                        best.set(c, ns);
                    }
                }
            }
            ComputeThreads.setDecodePrefetch(true);
            for (int c = 0; c < k; c++) {
                int t = configs.get(c)[0];
                long steps = decode;
                double stepMs = bestTotal[c] / 1e6 / steps;
                List<Double> rs = new java.util.ArrayList<>(ratios.get(c));
                java.util.Collections.sort(rs);
                System.out.printf("%d thread(s)%s: streaming read %.2f GB/s (best of %d reads of the run's bytes);"
                                + " best round %.3f ms/token (%.1f tok/s, %.0f%% of that read rate; profiler clock"
                                + " reads included); median per-round ratio to its neighbouring reads %.0f%%%n", t,
                        t == 1 ? "" : configs.get(c)[1] == 1 ? ", prefetch during attention" : ", no prefetch",
                        read[c] / 1e9, rounds * 2, stepMs, 1e3 / stepMs,
                        100 * stepBytes / (stepMs / 1e3) / read[c], 100 * rs.get(rs.size() / 2));
                Map<DecodeProfile.Part, Long> b = best.get(c);
                long matvecNs = 0;
                long matvecBytes = 0;
                for (DecodeProfile.Part p : DecodeProfile.Part.values()) {
                    double ms = b.get(p) / 1e6 / steps;
                    String rate = "";
                    if (bytes.containsKey(p)) {
                        double gbs = bytes.get(p) / (ms / 1e3) / 1e9;
                        rate = String.format(" | %6.2f MB, %5.2f GB/s = %3.0f%% of the read rate", bytes.get(p) / 1e6,
                                gbs, 100 * gbs * 1e9 / read[c]);
                        matvecNs += b.get(p);
                        matvecBytes += bytes.get(p);
                    }
                    System.out.printf("  %-15s %7.3f ms/token %5.1f%%%s%n", p, ms, 100.0 * b.get(p) / bestTotal[c],
                            rate);
                }
                double matvecMs = matvecNs / 1e6 / steps;
                System.out.printf("  matrix-vector products %.3f ms/token (%.1f%%), %.2f GB/s = %.0f%% of the read"
                                + " rate; everything else %.3f ms/token (%.1f%%)%n", matvecMs,
                        100.0 * matvecNs / bestTotal[c], matvecBytes / (matvecMs / 1e3) / 1e9,
                        100 * matvecBytes / (matvecMs / 1e3) / read[c], stepMs - matvecMs,
                        100.0 * (bestTotal[c] - matvecNs) / bestTotal[c]);
            }
            DecodeProfile.enable(false);
        }
    }

    /** BF16 weight bytes each matrix part of a decode step reads (all layers). */
    private static Map<DecodeProfile.Part, Long> matrixBytes(TextConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.heads() * c.headDim();
        long kv = (long) c.kvHeads() * c.headDim();
        long l = c.layers();
        Map<DecodeProfile.Part, Long> m = new EnumMap<>(DecodeProfile.Part.class);
        m.put(DecodeProfile.Part.QKV, 2 * l * h * (q + 2 * kv));
        m.put(DecodeProfile.Part.O_PROJ, 2 * l * q * h);
        m.put(DecodeProfile.Part.GATE_UP, 2 * l * 2 * h * c.intermediateSize());
        m.put(DecodeProfile.Part.DOWN, 2 * l * h * c.intermediateSize());
        m.put(DecodeProfile.Part.LM_HEAD, 2 * h * c.vocabSize());
        return m;
    }

    private static void run(TextDecoder d, int[] prompt, int steps) {
        try (KvPool pool = KvPool.allocate(256L << 20);
             KvSequence kv = PagedKvSequence.open(pool, d.geometry(),
                     KvMemoryConfig.builder(128L << 20).format(PageFormat.F16).policy("full").build())) {
            float[] logits = d.forward(d.embed(prompt), dev.sightline.model.Model.textTokens(0, prompt.length), kv,
                    TextDecoder.Logits.LAST);
            DecodeProfile.reset(); // the prefill is not a decode step, but keep its counts out regardless
            for (int i = 0; i < steps; i++) {
                logits = d.forward(d.embed(new int[]{DecodeRunner.argmax(logits)}),
                        List.of(TokenInfo.text(kv.nextPosition())),
                        kv, TextDecoder.Logits.LAST);
            }
        }
    }
}
