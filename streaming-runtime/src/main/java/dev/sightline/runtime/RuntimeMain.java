package dev.sightline.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the streaming runtime as a process until it is killed or interrupted:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.sightline.runtime.RuntimeMain \
 *     --bootstrap localhost:9092 --model models/smolvlm --state /var/lib/sightline [--http 8080] \
 *     [--app-id sightline-runtime] [--topic-prefix sightline.] [--pool-mib 512] [--budget-mib 64] [--policy infinipot-v] \
 *     [--checkpoint-seconds 30] [--backpressure drop_oldest|lower_frame_rate|none] [--page-bytes 16384]
 * </pre>
 *
 * For the deploy module's {@code sightline runtime}; tests use it to kill a real process.
 */
public final class RuntimeMain {
    private RuntimeMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        Path model = null;
        Path state = null;
        RuntimeConfig.Builder b;
        java.util.Map<String, String> opts = new java.util.LinkedHashMap<>();
        java.util.List<String> streamsSettings = new java.util.ArrayList<>();   // --streams may repeat
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                usage("bad argument '" + a + "'");
            }
            if (a.equals("--streams")) {
                streamsSettings.add(args[++i]);
            } else {
                opts.put(a.substring(2), args[++i]);
            }
        }
        bootstrap = opts.remove("bootstrap");
        model = opts.containsKey("model") ? Path.of(opts.remove("model")) : null;
        state = opts.containsKey("state") ? Path.of(opts.remove("state")) : null;
        if (bootstrap == null || model == null || state == null) {
            usage("--bootstrap, --model and --state are required");
        }
        b = RuntimeConfig.builder(bootstrap, state).modelDir(model);
        SessionSettings s = SessionSettings.defaults();
        for (var e : opts.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "http" -> b.httpPort(Integer.parseInt(v));
                case "app-id" -> b.applicationId(v);
                case "checkpoints" -> b.checkpointDir(Path.of(v));
                case "topic-prefix" -> b.topics(dev.sightline.protocol.TopicNames.withPrefix(v))
                        .incidentsTopic(v + "incidents");
                case "pool-mib" -> b.poolBytes(Long.parseLong(v) << 20);
                case "page-bytes" -> b.pageBytes(Integer.parseInt(v));
                case "budget-mib" -> s = s.withBudget(Long.parseLong(v) << 20);
                case "budget-bytes" -> s = s.withBudget(Long.parseLong(v));
                case "policy" -> s = s.withPolicy(v);
                case "checkpoint-seconds" -> b.checkpointInterval(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
                case "backpressure" -> b.backpressure(BackpressurePolicy.valueOf(v.toUpperCase(java.util.Locale.ROOT)),
                        Duration.ofSeconds(30));
                case "max-lag-seconds" -> b.backpressure(BackpressurePolicy.DROP_OLDEST,
                        Duration.ofSeconds(Long.parseLong(v)));
                default -> usage("unknown option --" + e.getKey());
            }
        }
        for (String kv : streamsSettings) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                usage("--streams needs key=value, got '" + kv + "'");
            }
            b.streamsOverride(kv.substring(0, eq), kv.substring(eq + 1));
        }
        b.defaults(s);
        StreamingRuntime rt = StreamingRuntime.start(b.build());
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            rt.close();
            done.countDown();
        }, "sightline-runtime-shutdown"));
        System.out.println("sightline runtime started; HTTP port " + rt.httpPort());
        done.await();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: RuntimeMain --bootstrap HOST:PORT --model DIR --state DIR [--http PORT] [--app-id ID]"
                + " [--topic-prefix P] [--checkpoints DIR]"
                + " [--pool-mib N] [--page-bytes N] [--budget-mib N | --budget-bytes N] [--policy NAME]"
                + " [--checkpoint-seconds S] [--backpressure none|drop_oldest|lower_frame_rate]"
                + " [--streams key=value]");
        System.exit(2);
    }
}
