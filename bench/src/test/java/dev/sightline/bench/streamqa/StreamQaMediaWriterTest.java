package dev.sightline.bench.streamqa;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamQaMediaWriterTest {

    @Test
    void writtenStreamDecodesToTheSameFramesWithinCodecLoss(@TempDir Path dir) throws Exception {
        Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(3), 6);
        short[] pcm = StreamQaGenerator.withBundledClips().renderAudio(scene);
        Path file = dir.resolve("stream.mp4");
        StreamQaMediaWriter.write(scene, pcm, file);
        assertThat(Files.size(file)).isGreaterThan(1000);
        int frames = 0;
        long audioSamples = 0;
        double worstMeanError = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
            g.start();
            Frame fr;
            while ((fr = g.grab()) != null) {
                if (fr.image != null) {
                    byte[] truth = StreamQaGenerator.renderFrame(scene, frames);
                    ByteBuffer px = (ByteBuffer) fr.image[0];
                    double err = 0;
                    for (int y = 0; y < StreamQaSpec.SIZE; y++) {
                        for (int x = 0; x < StreamQaSpec.SIZE; x++) {
                            for (int c = 0; c < 3; c++) {
                                int got = px.get(y * fr.imageStride + x * 3 + (2 - c)) & 0xFF;
                                err += Math.abs(got - (truth[(y * StreamQaSpec.SIZE + x) * 3 + c] & 0xFF));
                            }
                        }
                    }
                    worstMeanError = Math.max(worstMeanError, err / (StreamQaSpec.SIZE * StreamQaSpec.SIZE * 3));
                    frames++;
                }
                if (fr.samples != null) {
                    audioSamples += fr.samples[0].remaining();
                }
            }
            g.stop();
        }
        assertThat(frames).isEqualTo(6);
        assertThat(worstMeanError).as("mean absolute pixel error of the worst frame").isLessThan(12);
        assertThat(audioSamples).isGreaterThan(5L * StreamQaSpec.SAMPLE_RATE);
    }

    @Test
    void audioOfTheWrongLengthIsRefused(@TempDir Path dir) {
        Scene scene = StreamQaGenerator.plan(1, 4);
        assertThatThrownBy(() -> StreamQaMediaWriter.write(scene, new short[10], dir.resolve("x.mp4")))
                .hasMessageContaining("needs 64000 samples");
    }
}
