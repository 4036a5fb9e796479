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

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sightline demo}: the whole pipeline end to end on a StreamQA evaluation scene, as numbered, timed steps
 * ({@link DemoSteps}, {@link DemoPipelineSteps}): broker, topics, tokenizer, runtime, the clip ingested live, the
 * benchmark's questions about it over Kafka and HTTP, the answers beside the right ones, and per-topic counts. Needs
 * nothing but JDK 25 and the build: the broker is embedded, the clip is generated, the model is a folder in the
 * repository. Exits non-zero if a step fails, what arrived on Kafka differs from what the clip must give, or a
 * question did not get exactly one answer within the memory budget. (Wrong answers are reported, not failures: the
 * model is small.)
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole pipeline on a StreamQA scene (shapes, digits, tones, spoken words): an embedded Kafka "
                + "broker, the tokenizer and the runtime with the trained StreamQA model, the clip ingested live, the "
                + "benchmark's questions on the queries topic, and the answers with the right ones, latencies and "
                + "memory figures. --bootstrap-servers uses an existing cluster instead.")
final class DemoCommand implements Callable<Integer>, SightlineCli.Configured {

    @Mixin
    ConfigOptions config;

    @Option(names = "--scene", defaultValue = "7", description = "Which StreamQA evaluation scene to play, 0 or more "
            + "(default ${DEFAULT-VALUE}); held out from the model's training.")
    int scene;

    @Option(names = "--duration", defaultValue = "16s", converter = CliConverters.DurationConverter.class,
            description = "Length of the clip in whole seconds, at least 4 (default ${DEFAULT-VALUE}, the model's "
                    + "training length).")
    Duration duration;

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
        if (scene < 0) {
            throw new ConfigException("--scene must be 0 or more, got " + scene);
        }
        if (duration.toMillis() % 1000 != 0 || duration.toSeconds() < 4 || duration.toSeconds() > 3600) {
            throw new ConfigException("--duration must be a whole number of seconds from 4s to 1h (StreamQA scenes "
                    + "run at one frame a second), got " + Durations.text(duration));
        }
        Path workDir = Files.createTempDirectory("sightline-demo-");
        String streamId = "demo-" + Long.toString(System.currentTimeMillis(), 36);
        List<DemoStep> steps = DemoSteps.all();
        long demoStart = System.nanoTime();
        DemoContext demo = new DemoContext(cfg, scene, (int) duration.toSeconds(), workDir, streamId, out,
                duration.plusMinutes(2));
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
                    + "exactly one answer within the memory budget, no errors.%s%n", seconds, demo.scoreLine());
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
