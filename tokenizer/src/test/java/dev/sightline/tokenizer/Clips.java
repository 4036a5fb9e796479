package dev.sightline.tokenizer;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.VideoFrame;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Deterministically generated frames and audio chunks, as ingest would put them on Kafka. */
final class Clips {
    private Clips() {
    }

    static VideoFrame rgbFrame(String stream, long seq, long ptsMicros, RgbImage img) {
        byte[] data = new byte[img.rgb().length];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) Math.round(img.rgb()[i] * 255);
        }
        return new VideoFrame(stream, seq, ptsMicros, 0, img.width(), img.height(), PixelFormat.RGB24, data);
    }

    static byte[] bytes(VideoFrame f) {
        return SightlineSerdes.videoFrame().serializer().serialize("frames", f);
    }

    static byte[] bytes(AudioChunk c) {
        return SightlineSerdes.audioChunk().serializer().serialize("audio", c);
    }

    static byte[] jpeg(RgbImage img) {
        BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int r = Math.round(img.get(x, y, 0) * 255);
                int g = Math.round(img.get(x, y, 1) * 255);
                int bl = Math.round(img.get(x, y, 2) * 255);
                b.setRGB(x, y, (r << 16) | (g << 8) | bl);
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(b, "jpg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code seconds} of 16 kHz mono: a 440 Hz tone at {@code amplitude} (0 = digital silence). */
    static AudioChunk tone(String stream, long seq, long startMicros, double seconds, double amplitude) {
        int n = (int) Math.round(16_000 * seconds);
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 440 * i / 16_000.0));
        }
        return new AudioChunk(stream, seq, startMicros, 16_000, 1, s);
    }
}
