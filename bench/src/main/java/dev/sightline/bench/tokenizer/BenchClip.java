package dev.sightline.bench.tokenizer;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.VideoFrame;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * A deterministic camera-like clip as ingest would send it: 640x360 JPEG frames at 2 fps of a fixed textured
 * background, a square that moves for 4 frames and then stands still for 4, and 1 s audio chunks of 16 kHz mono,
 * loud and silent in alternating 2 s windows.
 */
final class BenchClip {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final long FRAME_MICROS = 500_000;
    static final int PERIOD = 8;

    final byte[][] frames = new byte[PERIOD][];

    BenchClip(String stream) {
        int[] background = new int[WIDTH * HEIGHT];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int g = 60 + (x * 120 / WIDTH) + (((x / 20) + (y / 20)) % 2) * 30 + rnd.nextInt(8);
                background[y * WIDTH + x] = (g << 16) | ((g + 20) << 8) | (200 - g / 2);
            }
        }
        for (int i = 0; i < PERIOD; i++) {
            int step = Math.min(i, 3); // moves on frames 0..3, still on 4..7
            BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, WIDTH, HEIGHT, background, 0, WIDTH);
            int sx = 80 + step * 120;
            for (int y = 120; y < 220; y++) {
                for (int x = sx; x < sx + 100; x++) {
                    img.setRGB(x, y, 0xF0F0F0);
                }
            }
            frames[i] = jpeg(img);
        }
        this.stream = stream;
    }

    private final String stream;

    byte[] frame(long seq) {
        VideoFrame f = new VideoFrame(stream, seq, seq * FRAME_MICROS, 0, WIDTH, HEIGHT, PixelFormat.JPEG,
                frames[(int) (seq % PERIOD)]);
        return SightlineSerdes.videoFrame().serializer().serialize("frames", f);
    }

    /** The 1 s audio chunk number {@code n}: loud in even 2 s windows, silent in odd ones. */
    byte[] audio(long n) {
        boolean loud = (n / 2) % 2 == 0;
        short[] s = new short[16_000];
        for (int i = 0; i < s.length; i++) {
            s[i] = loud ? (short) (12_000 * Math.sin(2 * Math.PI * 440 * i / 16_000.0)) : 0;
        }
        return SightlineSerdes.audioChunk().serializer().serialize("audio",
                new AudioChunk(stream, n, n * 1_000_000L, 16_000, 1, s));
    }

    private static byte[] jpeg(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "jpg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
