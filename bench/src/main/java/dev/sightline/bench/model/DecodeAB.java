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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * {@code bench decode-ab}: an interleaved A/B of decode switches in one process, for judging a change to the decode
 * path on this noisy 2-core VM (two JVMs run one after the other can land in different memory-bandwidth modes).
 * BF16, two threads (or {@code -Dab.threads}); each run sits between two reads of the same bytes with the same thread
 * count, as in {@link DecodeRoofline}, and configurations alternate A B B A ... so that drift falls on all alike.
 * With {@code -Dab.profile=true} it also prints each configuration's median time per part of a step
 * ({@link dev.sightline.model.DecodeProfile}). Args: {@code workDir rounds decodeTokens configA configB ...}, a
 * configuration being {@code base} or a {@code +}-joined list of switches turned on ({@code name}, or {@code -name} to
 * turn one off; see {@link #SWITCHES}). For trying a change against the current code, add a switch for it.
 */
public final class DecodeAB {

    /** The switches configurations can name. */
    private static final java.util.Map<String, java.util.function.Consumer<Boolean>> SWITCHES = java.util.Map.of(
            "prefetch", ComputeThreads::setDecodePrefetch,
            "f16inplace", dev.sightline.kv.DecodeAttentionSwitches::setF16InPlace);

    private DecodeAB() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int decode = Integer.parseInt(args[2]);
        List<String> configs = List.of(args).subList(3, args.length);
        int t = Integer.getInteger("ab.threads", 2);
        Path llama = RandomCheckpoints.smolLm2(work.resolve("smollm2-135m"));
        try (MemoryBandwidth bw = new MemoryBandwidth(1L << 30, t);
             Model model = Model.load(llama, new Model.Options(false))) {
            TextDecoder d = model.decoder();
            long bytes = d.weightBytesPerToken() + 2L * d.hiddenSize();
            int[] prompt = new Random(1).ints(128, 0, d.vocabSize()).toArray();
            ComputeThreads.setThreads(t);
            ComputeThreads.setDecodeThreads(t);
            for (String c : configs) {
                apply(configs, c);
                run(d, prompt, 8);
            }
            bw.readOnce(t);
            int k = configs.size();
            List<List<Double>> ratios = new ArrayList<>();
            List<List<Double>> tps = new ArrayList<>();
            boolean profile = Boolean.getBoolean("ab.profile");
            List<java.util.Map<dev.sightline.model.DecodeProfile.Part, List<Double>>> parts = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                ratios.add(new ArrayList<>());
                tps.add(new ArrayList<>());
                parts.add(new java.util.EnumMap<>(dev.sightline.model.DecodeProfile.Part.class));
            }
            dev.sightline.model.DecodeProfile.enable(profile);
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                for (int j = 0; j < k; j++) {
                    int c = r % 2 == 0 ? j : k - 1 - j;
                    apply(configs, configs.get(c));
                    double before = bw.readBytes(t, bytes * decode);
                    dev.sightline.model.DecodeProfile.reset();
                    double s = run(d, prompt, decode);
                    double after = bw.readBytes(t, bytes * decode);
                    if (profile) {
                        long steps = dev.sightline.model.DecodeProfile.steps();
                        dev.sightline.model.DecodeProfile.nanos().forEach((part, ns) -> parts.get(c).computeIfAbsent(
                                part, x -> new ArrayList<>()).add(ns / 1e6 / steps));
                    }
                    double ratio = bytes * s / Math.max(before, after);
                    ratios.get(c).add(ratio);
                    tps.get(c).add(s);
                    line.append(String.format(" | %s %.1f tok/s read %.1f/%.1f %.1f%%", configs.get(c), s,
                            before / 1e9, after / 1e9, 100 * ratio));
                }
                System.out.println(line);
            }
            for (int c = 0; c < k; c++) {
                System.out.printf("%-30s median ratio %.1f%% (range %.1f-%.1f%%), best %.1f tok/s, median %.1f tok/s%n",
                        configs.get(c), 100 * median(ratios.get(c)), 100 * Collections.min(ratios.get(c)),
                        100 * Collections.max(ratios.get(c)), Collections.max(tps.get(c)), median(tps.get(c)));
                if (profile) {
                    StringBuilder b = new StringBuilder("   median ms/token:");
                    parts.get(c).forEach((part, ms) -> b.append(String.format(" %s %.3f", part, median(ms))));
                    System.out.println(b);
                }
            }
        }
    }

    private static void apply(List<String> all, String config) {
        for (String c : all) { // everything named anywhere off, then this configuration's switches on
            for (String name : c.split("\\+")) {
                if (!name.equals("base")) {
                    toggle(name.replace("-", ""), name.startsWith("-"));
                }
            }
        }
        for (String name : config.split("\\+")) {
            if (!name.equals("base")) {
                toggle(name.replace("-", ""), !name.startsWith("-"));
            }
        }
    }

    private static void toggle(String name, boolean on) {
        java.util.function.Consumer<Boolean> s = SWITCHES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown switch '" + name + "'; known: " + SWITCHES.keySet());
        }
        s.accept(on);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double run(TextDecoder d, int[] prompt, int steps) {
        try (KvPool pool = KvPool.allocate(256L << 20);
             KvSequence kv = PagedKvSequence.open(pool, d.geometry(),
                     KvMemoryConfig.builder(128L << 20).format(PageFormat.F16).policy("full").build())) {
            float[] logits = d.forward(d.embed(prompt), Model.textTokens(0, prompt.length), kv,
                    TextDecoder.Logits.LAST);
            long t1 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                logits = d.forward(d.embed(new int[]{DecodeRunner.argmax(logits)}),
                        List.of(TokenInfo.text(kv.nextPosition())),
                        kv, TextDecoder.Logits.LAST);
            }
            return steps / ((System.nanoTime() - t1) / 1e9);
        }
    }
}
