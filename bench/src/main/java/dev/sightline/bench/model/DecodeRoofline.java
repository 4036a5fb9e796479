package dev.sightline.bench.model;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.model.ComputeThreads;
import dev.sightline.model.Model;
import dev.sightline.model.TextDecoder;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * {@code bench decode-roofline}: decode speed of a random SmolLM2-135M-shaped checkpoint (BF16 in place, and Q8_0
 * made at load) against the machine's streaming read bandwidth, measured interleaved in the same process. Each decode
 * run (one weight type, one engine thread count) sits between two reads of a 1 GiB off-heap buffer with the same
 * thread count, each read streaming as many bytes as the decode run does (so both sides average over the same length
 * of time, and neither fits in the 32 MiB L3). Per configuration it reports the best decode against the best read
 * (best/best) and the median over rounds of each run's ratio to the better of its two neighbouring reads.
 *
 * <p>Bytes per token are the weight matrices one decode step reads: every layer's q, k, v, o, gate, up and down,
 * plus the LM head (with tied embeddings the embedding matrix, read once as the head; the token's own embedding row
 * is one more row, counted too). Norm weights (a few KB, cache-resident) and the KV pages attention reads are
 * reported but not counted as weights.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.sightline.bench.model.DecodeRoofline [workDir]
 * [rounds=7] [prefillTokens=128] [decodeTokens=32]}.
 */
public final class DecodeRoofline {

    private DecodeRoofline() {
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/sightline-bench-model");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int prefill = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int decode = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int cores = Runtime.getRuntime().availableProcessors();
        int[] threadCounts = cores > 1 ? new int[]{1, 2} : new int[]{1};

        Path llama = RandomCheckpoints.smolLm2(work.resolve("smollm2-135m"));
        try (MemoryBandwidth bw = new MemoryBandwidth(1L << 30, threadCounts[threadCounts.length - 1]);
             Model bf16 = Model.load(llama, new Model.Options(false));
             Model q8 = Model.load(llama, new Model.Options(true))) {
            Model[] models = {bf16, q8};
            String[] labels = {"BF16", "Q8_0"};
            double[][] bestRead = new double[2][threadCounts.length]; // bytes per second, per weight type's run length
            double[][] bestDecode = new double[2][threadCounts.length]; // tokens per second
            double[][] bestPrefill = new double[2][threadCounts.length]; // tokens per second
            int[] prompt = new Random(1).ints(prefill, 0, bf16.decoder().vocabSize()).toArray();
            for (Model m : models) { // warm-up: JIT the kernels
                for (int t : threadCounts) {
                    ComputeThreads.setThreads(t);
                    ComputeThreads.setDecodeThreads(t);
                    run(m.decoder(), java.util.Arrays.copyOf(prompt, 32), 8);
                }
            }
            for (int t : threadCounts) {
                bw.readOnce(t);
            }
            List<Double>[][] ratios = new List[2][threadCounts.length];
            List<Double>[][] reads = new List[2][threadCounts.length];
            List<Double>[][] decodes = new List[2][threadCounts.length];
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                for (int v = 0; v < 2; v++) {
                    long bytes = models[v].decoder().weightBytesPerToken() + embeddingRowBytes(models[v].decoder());
                    for (int i = 0; i < threadCounts.length; i++) {
                        int t = threadCounts[i];
                        // A read of the same bytes as the decode run, with the same thread count, right before and
                        // right after it: the ratio of the decode to its neighbouring reads is the figure least
                        // moved by other processes' load, and both sides average over runs of similar length.
                        double before = bw.readBytes(t, bytes * decode);
                        ComputeThreads.setThreads(t);
                        ComputeThreads.setDecodeThreads(t);
                        double[] tps = run(models[v].decoder(), prompt, decode);
                        double after = bw.readBytes(t, bytes * decode);
                        double read = Math.max(before, after);
                        bestRead[v][i] = Math.max(bestRead[v][i], read);
                        bestPrefill[v][i] = Math.max(bestPrefill[v][i], tps[0]);
                        bestDecode[v][i] = Math.max(bestDecode[v][i], tps[1]);
                        double ratio = bytes * tps[1] / read;
                        if (ratios[v][i] == null) {
                            ratios[v][i] = new java.util.ArrayList<>();
                            reads[v][i] = new java.util.ArrayList<>();
                            decodes[v][i] = new java.util.ArrayList<>();
                        }
                        ratios[v][i].add(ratio);
                        reads[v][i].add(read);
                        decodes[v][i].add(bytes * tps[1]);
                        line.append(String.format(" | %s %dT %.1f tok/s, read %.1f/%.1f GB/s, %.0f%%", labels[v], t,
                                tps[1], before / 1e9, after / 1e9, 100 * ratio));
                    }
                }
                System.out.println(line);
            }
            System.out.printf("each decode run: %d tokens after a %d-token prefill; each read: the same bytes as the"
                    + " decode run it neighbours, same thread count, from a 1 GiB off-heap buffer (L3 is far"
                    + " smaller)%n", decode, prefill);
            for (int v = 0; v < 2; v++) {
                TextDecoder d = models[v].decoder();
                long bytes = d.weightBytesPerToken() + embeddingRowBytes(d);
                double weightsPerToken = v == 0 ? d.weightBytesPerToken() / 2.0
                        : d.weightBytesPerToken() / (34.0 / 32.0);
                for (int i = 0; i < threadCounts.length; i++) {
                    double gbs = bytes * bestDecode[v][i];
                    double gflops = 2 * weightsPerToken * bestPrefill[v][i];
                    System.out.printf("%s, %d thread(s): %.1f MB/token | best decode %.1f tok/s = %.2f GB/s, best read"
                                    + " %.2f GB/s: best/best %.0f%% | medians: decode %.2f GB/s, read %.2f GB/s,"
                                    + " per-run ratio %.0f%% (range %.0f-%.0f%%) | prefill %d tokens %.1f tok/s ="
                                    + " %.1f GFLOP/s%n",
                            labels[v], threadCounts[i], bytes / 1e6, bestDecode[v][i], gbs / 1e9,
                            bestRead[v][i] / 1e9, 100 * gbs / bestRead[v][i], median(decodes[v][i]) / 1e9,
                            median(reads[v][i]) / 1e9, 100 * median(ratios[v][i]),
                            100 * java.util.Collections.min(ratios[v][i]),
                            100 * java.util.Collections.max(ratios[v][i]), prefill, bestPrefill[v][i],
                            gflops / 1e9);
                }
            }
            TextDecoder d = bf16.decoder();
            long kvPerToken = 2L * d.geometry().layers() * d.geometry().kvHeads() * d.geometry().headDim() * 2;
            System.out.printf("not counted: KV pages read by attention, F16, about %.2f MB/token at %d cached"
                    + " tokens%n", kvPerToken * (prefill + decode / 2.0) / 1e6, prefill + decode / 2);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new java.util.ArrayList<>(xs);
        java.util.Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The token's own embedding row: BF16 in place (the embedding matrix stays BF16 even when matrices are Q8_0). */
    private static long embeddingRowBytes(TextDecoder d) {
        return (long) d.hiddenSize() * 2;
    }

    /** Prefill {@code prompt}, then greedy-decode {@code steps} tokens; returns {prefill tok/s, decode tok/s}. */
    private static double[] run(TextDecoder d, int[] prompt, int steps) {
        try (KvPool pool = KvPool.allocate(256L << 20);
             KvSequence kv = PagedKvSequence.open(pool, d.geometry(),
                     KvMemoryConfig.builder(128L << 20).format(PageFormat.F16).policy("full").build())) {
            long t0 = System.nanoTime();
            float[] logits = d.forward(d.embed(prompt), Model.textTokens(0, prompt.length), kv,
                    TextDecoder.Logits.LAST);
            double prefillSecs = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                logits = d.forward(d.embed(new int[]{DecodeRunner.argmax(logits)}),
                        List.of(TokenInfo.text(kv.nextPosition())),
                        kv, TextDecoder.Logits.LAST);
            }
            double decodeSecs = (System.nanoTime() - t1) / 1e9;
            return new double[]{prompt.length / prefillSecs, steps / decodeSecs};
        }
    }
}
