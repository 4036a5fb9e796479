package dev.sightline.ingest;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticMediaGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void planIsDeterministicPerSeed() {
        SyntheticClipSpec spec = SyntheticClipSpec.small(7, Duration.ofSeconds(30));
        GroundTruth a = SyntheticMediaGenerator.plan(spec);
        assertThat(SyntheticMediaGenerator.plan(spec)).isEqualTo(a);
        assertThat(SyntheticMediaGenerator.plan(SyntheticClipSpec.small(8, Duration.ofSeconds(30)))).isNotEqualTo(a);
        assertThat(a.shapes()).hasSize(4).allSatisfy(s -> {
            assertThat(s.appearMicros()).isBetween(0L, spec.durationMicros());
            assertThat(s.leaveMicros()).isGreaterThan(s.appearMicros()).isLessThanOrEqualTo(spec.durationMicros());
            assertThat(s.y0() + s.size() / 2.0).isLessThanOrEqualTo(240 - SyntheticMediaGenerator.stripHeight(240));
        });
        assertThat(a.tones()).hasSize(3);
        // the ground truth is kept next to a clip as JSON and reads back equal
        Path json = dir.resolve("truth.json");
        try {
            a.writeJson(json);
            assertThat(GroundTruth.readJson(json)).isEqualTo(a);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        for (int i = 1; i < a.tones().size(); i++) {
            assertThat(a.tones().get(i).startMicros()).isGreaterThanOrEqualTo(a.tones().get(i - 1).endMicros());
        }
    }

    @Test
    void renderedFramesShowTheShapesAndTheirIndex() {
        GroundTruth truth = SyntheticMediaGenerator.plan(SyntheticClipSpec.small(3, Duration.ofSeconds(10)));
        GroundTruth.Shape shape = truth.shapes().getFirst();
        int index = (int) ((shape.appearMicros() + shape.leaveMicros()) / 2 * 10 / 1_000_000);
        BufferedImage img = SyntheticMediaGenerator.renderFrame(truth, index);
        assertThat(SyntheticMediaGenerator.readFrameIndex(img, 0, 0, 320, 240)).isEqualTo(index);
        long t = index * 100_000L;
        boolean covered = truth.visibleAt(t).stream().filter(s -> s.id() > shape.id()).noneMatch(s -> {
            double[] c = s.centreAt(t);
            double[] mine = shape.centreAt(t);
            return Math.abs(c[0] - mine[0]) < s.size() && Math.abs(c[1] - mine[1]) < s.size();
        });
        if (covered) {
            double[] c = shape.centreAt(t);
            int rgb = img.getRGB((int) c[0], (int) c[1]) & 0xFFFFFF;
            assertThat(rgb).isEqualTo(shape.rgb());
        }
    }

    @Test
    void writesAClipFfmpegReadsBackFrameByFrameWithToneTimes() throws Exception {
        Path file = dir.resolve("clip.mp4");
        GroundTruth truth = SyntheticMediaGenerator.generate(SyntheticClipSpec.small(11, Duration.ofSeconds(3)), file);
        List<Integer> indices = new ArrayList<>();
        List<Long> pts = new ArrayList<>();
        short[] audio = new short[16_000 * 4];
        int audioSamples = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            g.setSampleRate(16_000);
            g.setAudioChannels(1);
            g.setSampleFormat(org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16);
            g.start();
            Frame f;
            while ((f = g.grab()) != null) {
                if (f.image != null) {
                    indices.add(SyntheticMediaGenerator.readFrameIndex(conv.getBufferedImage(f), 0, 0, 320, 240));
                    pts.add(f.timestamp);
                } else if (f.samples != null) {
                    ShortBuffer sb = (ShortBuffer) f.samples[0];
                    int n = Math.min(sb.remaining(), audio.length - audioSamples);
                    sb.get(audio, audioSamples, n);
                    audioSamples += n;
                }
            }
        }
        assertThat(indices).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(indices.get(i)).as("index strip of frame %d", i).isEqualTo(i);
            assertThat(pts.get(i)).as("pts of frame %d", i).isEqualTo(i * 100_000L);
        }
        assertThat(audioSamples).isBetween(47_000, 49_500);
        for (GroundTruth.Tone tone : truth.tones()) {
            long mid = (tone.startMicros() + tone.endMicros()) / 2;
            assertThat(rms(audio, mid - 50_000, mid + 50_000)).as("tone at %d us", mid).isGreaterThan(5000);
        }
        // silence between tones: before the first one
        long quiet = truth.tones().getFirst().startMicros();
        if (quiet > 120_000) {
            assertThat(rms(audio, 20_000, quiet - 60_000)).isLessThan(500);
        }
    }

    private static double rms(short[] samples, long fromMicros, long toMicros) {
        int a = (int) (fromMicros * 16 / 1000);
        int b = (int) (toMicros * 16 / 1000);
        double sum = 0;
        for (int i = a; i < b; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / Math.max(1, b - a));
    }
}
