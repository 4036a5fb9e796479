package dev.sightline.bench.model;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code bench decode-versions}: decode of two (or more) builds of the engine interleaved in one process, for a
 * before/after that two JVMs run one after the other cannot give on this VM (its two-thread read rate switches
 * between about 40 and 60 GB/s from minute to minute). Each version's model and kv-memory jars get their own class
 * loader with {@link DecodeRunner}; rounds alternate A B B A ..., each BF16 decode run between two reads of the same
 * bytes with the same thread count, as {@link DecodeRoofline} does, and per version it reports the median per-run
 * ratio, the best and median tok/s.
 *
 * <p>Run with this module's classes and third-party jars on the class path but no engine jars: {@code java ...
 * dev.sightline.bench.model.DecodeVersions checkpointDir rounds decodeTokens threads jarsA jarsB ...}, each {@code jars}
 * a path-separated list (a version's model and kv-memory jars).
 */
public final class DecodeVersions {

    /**
     * Two-thread reads on this VM fall into two modes, about 38-46 GB/s and 50-66 GB/s (probably the two vCPUs on
     * one or on two host core complexes); decode does not follow the upper one (each thread would have to stream
     * 30 GB/s, one core's limit). The split by mode is reported beside the overall median, which counts all runs.
     */
    private static final double HIGH_MODE = Double.parseDouble(System.getProperty("versions.highMode", "47.5e9"));

    private DecodeVersions() {
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        int rounds = Integer.parseInt(args[1]);
        int tokens = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        List<String> versions = List.of(args).subList(4, args.length);
        List<URL> shared = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            shared.add(new File(e).toURI().toURL());
        }
        int k = versions.size();
        Object[] runners = new Object[k];
        Method[] decode = new Method[k];
        long bytes = 0;
        for (int v = 0; v < k; v++) {
            List<URL> urls = new ArrayList<>();
            for (String jar : versions.get(v).split(File.pathSeparator)) {
                urls.add(new File(jar).toURI().toURL());
            }
            urls.addAll(shared);
            // parent: the platform loader, so each version sees its own engine classes and nothing of the other's
            ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass(DecodeRunner.class.getName());
            runners[v] = c.getConstructor(String.class, int.class).newInstance(dir, threads);
            decode[v] = c.getMethod("decode", int.class, int.class);
            long b = (long) c.getMethod("bytesPerToken").invoke(runners[v]);
            if (v > 0 && b != bytes) {
                throw new IllegalStateException("versions count different bytes per token: " + bytes + " and " + b);
            }
            bytes = b;
        }
        List<List<Double>> ratios = new ArrayList<>();
        List<List<Double>> tps = new ArrayList<>();
        List<List<Double>> lowModeRatios = new ArrayList<>();
        for (int v = 0; v < k; v++) {
            ratios.add(new ArrayList<>());
            tps.add(new ArrayList<>());
            lowModeRatios.add(new ArrayList<>());
        }
        try (MemoryBandwidth bw = new MemoryBandwidth(1L << 30, threads)) {
            bw.readOnce(threads);
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                for (int j = 0; j < k; j++) {
                    int v = r % 2 == 0 ? j : k - 1 - j;
                    double before = bw.readBytes(threads, bytes * tokens);
                    double s = (double) decode[v].invoke(runners[v], tokens, threads);
                    double after = bw.readBytes(threads, bytes * tokens);
                    double ratio = bytes * s / Math.max(before, after);
                    ratios.get(v).add(ratio);
                    tps.get(v).add(s);
                    if (Math.max(before, after) < HIGH_MODE) {
                        lowModeRatios.get(v).add(ratio);
                    }
                    line.append(String.format(" | %s %.1f tok/s, read %.1f/%.1f GB/s, %.0f%%", (char) ('A' + v), s,
                            before / 1e9, after / 1e9, 100 * ratio));
                }
                System.out.println(line);
            }
        }
        System.out.printf("%s, %d thread(s), %d tokens after a 128-token prefill, %.1f MB/token%n",
                Boolean.getBoolean("versions.q8") ? "Q8_0" : "BF16", threads, tokens, bytes / 1e6);
        for (int v = 0; v < k; v++) {
            System.out.printf("%s (%s): median per-run ratio %.0f%% (range %.0f-%.0f%%), best %.1f tok/s, median %.1f"
                            + " tok/s%n", (char) ('A' + v), versions.get(v), 100 * median(ratios.get(v)),
                    100 * Collections.min(ratios.get(v)), 100 * Collections.max(ratios.get(v)),
                    Collections.max(tps.get(v)), median(tps.get(v)));
            List<Double> low = lowModeRatios.get(v);
            System.out.printf("   runs whose neighbouring reads both stayed below %.1f GB/s: %d of %d, median ratio %s%n",
                    HIGH_MODE / 1e9, low.size(), ratios.get(v).size(),
                    low.isEmpty() ? "-" : String.format("%.0f%%", 100 * median(low)));
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
