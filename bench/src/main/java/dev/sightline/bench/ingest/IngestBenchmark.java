package dev.sightline.bench.ingest;

import dev.sightline.ingest.IngestService;
import dev.sightline.ingest.IngestedStream;
import dev.sightline.ingest.StreamSource;
import dev.sightline.ingest.SyntheticClipSpec;
import dev.sightline.ingest.SyntheticMediaGenerator;
import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.VideoFrameSerde;
import dev.sightline.protocol.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Ingest throughput and Kafka frame round trip, as a plain main (these are seconds-long macro measurements;
 * JMH's forking adds nothing here). Prints a markdown table for docs/benchmarks.md.
 *
 * <pre>
 * IngestBenchmark [--seconds 10] [--dir target/ingest-bench] [--roundtrip 300]
 * </pre>
 *
 * 1. Generates a 1080p 30 fps clip (MPEG-4 Part 2 + AAC) with the synthetic generator.
 * 2. Decodes it with FFmpeg alone, three ways (full-size BGR, BGR scaled to 640x360 by swscale, no conversion),
 *    to show what the decoder itself costs.
 * 3. Ingests it through {@link IngestService} into an in-process Kafka broker: sampled at 1 fps and at every
 *    frame (30 fps), resized to 640x360 (PAD), JPEG q85, audio to 16 kHz chunks: source frames per second of wall
 *    time, the figure that says how many 1080p streams a box keeps up with.
 * 4. Kafka round trip of 640x360 JPEG frames: one at a time (latency p50/p95/p99) and a burst (throughput).
 */
public final class IngestBenchmark {
    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        Path dir = Path.of("target/ingest-bench");
        int roundTrips = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--roundtrip" -> roundTrips = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(dir);
        System.out.printf("cores=%d, java=%s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        List<String[]> rows = new ArrayList<>();

        Path clip = dir.resolve("clip-1080p.mp4");
        SyntheticClipSpec spec = new SyntheticClipSpec(1, seconds * 1_000_000L, 1920, 1080, 30, 6, 4, 48_000);
        long t0 = System.nanoTime();
        SyntheticMediaGenerator.generate(spec, clip);
        double genSec = (System.nanoTime() - t0) / 1e9;
        int frames = spec.frameCount();
        rows.add(row("generate 1080p30 clip (render + MPEG-4/AAC encode)", frames, genSec, ""));

        double decodeFull = decode(clip, 0, 0, true);
        rows.add(row("decode only, BGR 1920x1080 (FFmpeg alone)", frames, decodeFull, "1.00"));
        double decodeScaled = decode(clip, 640, 360, true);
        rows.add(row("decode only, BGR scaled to 640x360 by swscale", frames, decodeScaled,
                ratio(decodeFull, decodeScaled)));
        double decodeRaw = decode(clip, 0, 0, false);
        rows.add(row("decode only, no pixel conversion", frames, decodeRaw, ratio(decodeFull, decodeRaw)));

        try (KafkaTestBroker broker = KafkaTestBroker.start()) {
            String bs = broker.bootstrapServers();
            // each sampling rate with the selective conversion (the default) and with every frame converted,
            // in alternating order, 3 rounds; the best time of each counts (the box is shared and noisy)
            for (double fps : new double[]{1, 30}) {
                double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
                long[] sent = new long[2];
                for (int round = 0; round < 3; round++) {
                    for (int k = 0; k < 2; k++) {
                        int config = (round % 2 == 0) ? k : 1 - k;
                        boolean convertAll = config == 0;
                        System.setProperty("sightline.ingest.convertAllFrames", Boolean.toString(convertAll));
                        TopicNames topics = TopicNames.withPrefix("bench" + (int) fps + "-" + round + "-" + config + ".");
                        try (IngestService ingest = IngestService.connect(bs, topics, TopicSettings.singleBroker(),
                                null)) {
                            long start = System.nanoTime();
                            IngestedStream s = ingest.start(StreamSource.of("bench", clip.toString())
                                    .withFramesPerSecond(fps).withSize(640, 360));
                            if (!s.awaitTermination(Duration.ofMinutes(10)) || s.state() != StreamState.ENDED) {
                                throw new IllegalStateException("ingest did not end: " + s.stats());
                            }
                            best[config] = Math.min(best[config], (System.nanoTime() - start) / 1e9);
                            sent[config] = s.stats().framesSent();
                        }
                    }
                }
                System.clearProperty("sightline.ingest.convertAllFrames");
                for (int config = 0; config < 2; config++) {
                    rows.add(row(String.format(Locale.ROOT, "ingest into Kafka, sample %.0f fps -> 640x360 JPEG q85"
                                    + " (%d frames sent), audio on, %s", fps, sent[config],
                            config == 0 ? "every frame converted" : "only sampled frames converted (default)"),
                            frames, best[config], ratio(decodeFull, best[config])));
                }
            }
            roundTrip(bs, roundTrips, rows);
        }

        System.out.println();
        System.out.println("| measurement | frames | seconds | frames/s | ratio |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static String[] row(String what, long frames, double seconds, String ratio) {
        return new String[]{what, Long.toString(frames), String.format(Locale.ROOT, "%.2f", seconds),
                String.format(Locale.ROOT, "%.1f", frames / seconds), ratio};
    }

    /** Speed relative to the baseline: baseline seconds / these seconds. */
    private static String ratio(double baseSeconds, double seconds) {
        return String.format(Locale.ROOT, "%.2f", baseSeconds / seconds);
    }

    private static double decode(Path clip, int width, int height, boolean convert) throws Exception {
        long start = System.nanoTime();
        int n = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(clip.toFile())) {
            g.setAudioStream(-1);
            g.start();
            if (width > 0) {
                g.setImageWidth(width);
                g.setImageHeight(height);
            }
            Frame f;
            while ((f = g.grabFrame(false, true, convert, false, false)) != null) {
                if (f.image != null || !convert) {
                    n++;
                }
            }
        }
        double sec = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "decode %dx%d convert=%s: %d frames in %.2f s%n", width, height, convert, n,
                sec);
        return sec;
    }

    private static void roundTrip(String bs, int count, List<String[]> rows) throws Exception {
        TopicNames topics = TopicNames.withPrefix("rt.");
        TopicSettings settings = TopicSettings.singleBroker();
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(bs))) {
            TopicSetup.ensureTopics(admin, topics, settings);
        }
        BufferedImage img = SyntheticMediaGenerator.renderFrame(SyntheticMediaGenerator.plan(
                new SyntheticClipSpec(3, 10_000_000, 640, 360, 30, 6, 0, 0)), 100);
        // the synthetic scene is flat colour (a ~5 KB JPEG); sensor-like noise brings it to a camera frame's size
        java.util.SplittableRandom noise = new java.util.SplittableRandom(7);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int n = noise.nextInt(-10, 11);
                int r = Math.clamp(((rgb >> 16) & 0xFF) + n, 0, 255);
                int g = Math.clamp(((rgb >> 8) & 0xFF) + n, 0, 255);
                int b = Math.clamp((rgb & 0xFF) + n, 0, 255);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", jpeg);
        byte[] data = jpeg.toByteArray();
        var consumerProps = KafkaClientConfigs.consumer(bs, null, settings.maxMessageBytes());
        try (var producer = new KafkaProducer<>(KafkaClientConfigs.producer(bs, settings.maxMessageBytes()),
                new StringSerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                     SightlineSerdes.videoFrame().deserializer())) {
            TopicPartition tp = new TopicPartition(topics.frames(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            // latency: one frame at a time, waiting for it to come back
            long[] micros = new long[count];
            for (int i = 0; i < count; i++) {
                VideoFrame f = new VideoFrame("rt", i, i * 33_333L, System.currentTimeMillis(), 640, 360,
                        PixelFormat.JPEG, data);
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topics.frames(), "rt", VideoFrameSerde.encode(f)));
                boolean back = false;
                while (!back) {
                    for (var r : consumer.poll(Duration.ofMillis(100))) {
                        back |= r.value().sequence() == i;
                    }
                }
                micros[i] = (System.nanoTime() - sent) / 1000;
            }
            Arrays.sort(micros);
            System.out.printf(Locale.ROOT, "round trip of a %d-byte frame: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms%n",
                    data.length, micros[count / 2] / 1e3, micros[count * 95 / 100] / 1e3,
                    micros[count * 99 / 100] / 1e3);
            double total = Arrays.stream(micros).sum() / 1e6;
            rows.add(row(String.format(Locale.ROOT, "Kafka round trip one at a time, %d B JPEG frame: p50 %.2f ms,"
                    + " p95 %.2f ms, p99 %.2f ms", data.length, micros[count / 2] / 1e3,
                    micros[count * 95 / 100] / 1e3, micros[count * 99 / 100] / 1e3), count, total, ""));

            // throughput: a burst, all sent then all read back
            int burst = count * 10;
            long start = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                VideoFrame f = new VideoFrame("rt", count + i, i, System.currentTimeMillis(), 640, 360,
                        PixelFormat.JPEG, data);
                producer.send(new ProducerRecord<>(topics.frames(), "rt", VideoFrameSerde.encode(f)));
            }
            int got = 0;
            while (got < burst) {
                got += consumer.poll(Duration.ofMillis(100)).count();
            }
            double sec = (System.nanoTime() - start) / 1e9;
            rows.add(row(String.format(Locale.ROOT, "Kafka burst produce+consume, %d B JPEG frames (%.1f MB/s)",
                    data.length, burst * (double) data.length / sec / 1e6), burst, sec, ""));
        }
    }
}
