package dev.sightline.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.sightline.ingest.GroundTruth;
import dev.sightline.ingest.SyntheticClipSpec;
import dev.sightline.ingest.SyntheticMediaGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sightline generate-media}: writes a deterministic synthetic clip, and optionally its ground truth. */
@Command(name = "generate-media", mixinStandardHelpOptions = true,
        description = "Write a deterministic synthetic clip: coloured shapes that appear, move and leave, and tones, "
                + "all at times fixed by the seed.")
final class GenerateMediaCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Clip to write; the container follows the extension (.mp4, .mkv, ...).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of every random choice (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duration", defaultValue = "10s", converter = CliConverters.DurationConverter.class,
            description = "Length, e.g. 10s or 2m (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--size", defaultValue = "320x240", converter = CliConverters.SizeConverter.class,
            paramLabel = "WxH", description = "Frame size, even numbers (default ${DEFAULT-VALUE}).")
    CliConverters.Size size;

    @Option(names = "--fps", defaultValue = "10", description = "Video frame rate of the clip (default ${DEFAULT-VALUE}).")
    int fps;

    @Option(names = "--shapes", defaultValue = "4", description = "Shapes that appear (default ${DEFAULT-VALUE}).")
    int shapes;

    @Option(names = "--tones", defaultValue = "3", description = "Tones, each in its own time slot (default ${DEFAULT-VALUE}).")
    int tones;

    @Option(names = "--sample-rate", defaultValue = "48000",
            description = "Audio sample rate; 0 for a clip without audio (default ${DEFAULT-VALUE}).")
    int sampleRate;

    @Option(names = "--ground-truth", paramLabel = "FILE",
            description = "Also write what is where and when (shapes, tones) as JSON.")
    Path groundTruth;

    @Override
    public Integer call() throws Exception {
        SyntheticClipSpec spec;
        try {
            spec = new SyntheticClipSpec(seed, duration.toNanos() / 1000, size.width(), size.height(), fps, shapes,
                    tones, sampleRate);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid clip: " + e.getMessage());
        }
        long start = System.nanoTime();
        GroundTruth truth = SyntheticMediaGenerator.generate(spec, out);
        if (groundTruth != null) {
            truth.writeJson(groundTruth);
        }
        System.out.printf("wrote %s: %.1f s, %dx%d at %d fps, %d shapes, %d tones, audio %s, seed %d (%.1f s)%n",
                out, spec.durationMicros() / 1e6, spec.width(), spec.height(), spec.fps(), truth.shapes().size(),
                truth.tones().size(), sampleRate == 0 ? "none" : sampleRate + " Hz mono", seed,
                (System.nanoTime() - start) / 1e9);
        if (groundTruth != null) {
            System.out.println("ground truth: " + groundTruth);
        }
        return 0;
    }
}
