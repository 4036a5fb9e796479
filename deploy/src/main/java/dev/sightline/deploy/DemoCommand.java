package dev.sightline.deploy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.sightline.ingest.SyntheticClipSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sightline demo}: the whole pipeline end to end on a synthetic clip, as numbered, timed steps
 * ({@link DemoSteps}, {@link DemoPipelineSteps}): broker, topics, tokenizer, runtime, the clip ingested live,
 * scripted questions over Kafka and HTTP, answers, and per-topic counts. Needs nothing but JDK 25 and the build: the
 * broker is embedded, the clip is generated, the model is a folder in the repository. Exits non-zero if a step
 * fails, what arrived on Kafka differs from what the clip must give, or a question did not get exactly one answer
 * within the memory budget.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole pipeline on a synthetic clip: an embedded Kafka broker, the tokenizer and the runtime, "
                + "the clip ingested live, scripted questions on the queries topic, and their answers with latencies "
                + "and memory figures. --bootstrap-servers uses an existing cluster instead.")
final class DemoCommand implements Callable<Integer>, SightlineCli.Configured {

    @Mixin
    ConfigOptions config;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic clip (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duration", defaultValue = "10s", converter = CliConverters.DurationConverter.class,
            description = "Length of the synthetic clip (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--clip-size", defaultValue = "320x240", converter = CliConverters.SizeConverter.class,
            paramLabel = "WxH", description = "Frame size of the synthetic clip (default ${DEFAULT-VALUE}).")
    CliConverters.Size clipSize;

    @Option(names = "--keep", description = "Keep the working folder (clip, broker data) instead of deleting it.")
    boolean keep;

    @Override
    public ConfigOptions configOptions() {
        return config;
    }

    @Override
    public Integer call() throws Exception {
        return run(config.load(List.of()), System.out).failures.isEmpty() ? 0 : 1;
    }

    /** Runs every step (stopping at the first that throws) and returns what they found; resources are closed. */
    DemoContext run(SightlineConfig cfg, PrintStream out) throws IOException {
        SyntheticClipSpec clip;
        try {
            clip = SyntheticClipSpec.small(seed, duration).withSize(clipSize.width(), clipSize.height());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid demo clip: " + e.getMessage());
        }
        Path workDir = Files.createTempDirectory("sightline-demo-");
        String streamId = "demo-" + Long.toString(System.currentTimeMillis(), 36);
        List<DemoStep> steps = DemoSteps.all();
        long demoStart = System.nanoTime();
        DemoContext demo = new DemoContext(cfg, clip, workDir, streamId, out, Duration.ofMinutes(2));
        Thread cleanup = new Thread(() -> finish(demo, workDir), "sightline-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C still stops the broker and removes temp files
        try {
            for (int i = 0; i < steps.size(); i++) {
                DemoStep step = steps.get(i);
                out.printf("[%d/%d] %s%n", i + 1, steps.size(), step.title());
                long start = System.nanoTime();
                try {
                    step.run(demo);
                } catch (Exception e) {
                    out.printf("  FAILED: %s%n", e.getMessage());
                    demo.failures.add(step.title() + ": " + e.getMessage());
                    break;
                }
                out.printf("  (%.1f s)%n", (System.nanoTime() - start) / 1e9);
            }
        } finally {
            finish(demo, workDir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran; nothing more to do
            }
        }
        double seconds = (System.nanoTime() - demoStart) / 1e9;
        if (demo.failures.isEmpty()) {
            out.printf("demo OK in %.1f s: every frame and audio chunk of the clip arrived on Kafka, every question got "
                    + "exactly one answer within the memory budget, no errors.%n", seconds);
        } else {
            out.printf("demo FAILED in %.1f s:%n", seconds);
            demo.failures.forEach(f -> out.println("  - " + f));
        }
        return demo;
    }

    private synchronized void finish(DemoContext demo, Path workDir) {
        demo.close();
        if (keep) {
            demo.out.println("kept working folder " + workDir);
            return;
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
