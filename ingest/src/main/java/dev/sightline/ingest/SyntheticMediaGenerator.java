package dev.sightline.ingest;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Makes deterministic test media: coloured shapes that appear, move in straight lines and leave at known times,
 * and sine tones at known times, all drawn from a seed ({@link #plan}); then renders and encodes them into a
 * file through FFmpeg ({@link #generate}). The returned {@link GroundTruth} says what is where when.
 *
 * <p>Every frame also carries its own index in a strip of 16 black/white cells along the bottom edge (most
 * significant bit left), so a consumer can check that the frame it got at time t really is frame t
 * ({@link #readFrameIndex}). Shapes never enter the strip.
 *
 * <p>Container by file extension: {@code .mp4} (default), {@code .mkv}, {@code .ts}, {@code .m3u8} (HLS: a
 * playlist of 1 s MPEG-TS segments beside it); video MPEG-4 Part 2 at
 * a generous bitrate with a key frame every second, audio AAC mono (MP2 in {@code .ts}) (the LGPL FFmpeg build has no H.264 encoder).
 */
public final class SyntheticMediaGenerator {
    public static final int INDEX_BITS = 16;
    private static final String[] COLOUR_NAMES = {"red", "green", "blue", "yellow", "magenta", "cyan", "white",
            "orange"};
    private static final int[] COLOUR_RGB = {0xE02020, 0x20C020, 0x2040E0, 0xF0E020, 0xE020E0, 0x20E0E0, 0xF0F0F0,
            0xF08020};
    private static final double[] TONE_HZ = {440, 660, 880, 1320};
    private static final int BACKGROUND = 0x303030;

    private SyntheticMediaGenerator() {
    }

    /** Height of the frame-index strip at the bottom of a frame. */
    public static int stripHeight(int frameHeight) {
        return Math.max(8, frameHeight / 15);
    }

    /** Draws the ground truth from the seed; renders nothing. */
    public static GroundTruth plan(SyntheticClipSpec spec) {
        SplitMix64 rng = new SplitMix64(spec.seed());
        long d = spec.durationMicros();
        int w = spec.width();
        int h = spec.height();
        int usableH = h - stripHeight(h);
        List<GroundTruth.Shape> shapes = new ArrayList<>();
        for (int i = 0; i < spec.shapes(); i++) {
            GroundTruth.Kind kind = GroundTruth.Kind.values()[rng.nextInt(GroundTruth.Kind.values().length)];
            int c = rng.nextInt(COLOUR_NAMES.length);
            int size = (int) Math.round(rng.uniform(usableH / 8.0, usableH / 4.0));
            long appear = (long) rng.uniform(0, d * 0.7);
            long stay = (long) rng.uniform(d * 0.15, d * 0.5);
            long leave = Math.min(d, appear + stay);
            double half = size / 2.0;
            double x0 = rng.uniform(half, w - half);
            double y0 = rng.uniform(half, usableH - half);
            double x1 = rng.uniform(half, w - half);
            double y1 = rng.uniform(half, usableH - half);
            shapes.add(new GroundTruth.Shape(i, kind, COLOUR_NAMES[c], COLOUR_RGB[c], size, appear, leave,
                    x0, y0, x1, y1));
        }
        List<GroundTruth.Tone> tones = new ArrayList<>();
        if (spec.sampleRate() > 0) {
            long slot = spec.tones() == 0 ? 0 : d / spec.tones();
            for (int i = 0; i < spec.tones(); i++) {
                double hz = TONE_HZ[rng.nextInt(TONE_HZ.length)];
                long length = (long) (slot * rng.uniform(0.3, 0.7));
                long start = i * slot + (long) ((slot - length) * rng.nextDouble());
                tones.add(new GroundTruth.Tone(start, start + length, hz, 0.5));
            }
        }
        return new GroundTruth(spec, shapes, tones);
    }

    /** Frame {@code index} (showing time index / fps) as a BGR image. */
    public static BufferedImage renderFrame(GroundTruth truth, int index) {
        SyntheticClipSpec spec = truth.spec();
        long t = index * 1_000_000L / spec.fps();
        BufferedImage img = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(BACKGROUND));
            g.fillRect(0, 0, spec.width(), spec.height());
            for (GroundTruth.Shape s : truth.shapes()) {
                if (!s.visibleAt(t)) {
                    continue;
                }
                double[] c = s.centreAt(t);
                int x = (int) Math.round(c[0] - s.size() / 2.0);
                int y = (int) Math.round(c[1] - s.size() / 2.0);
                g.setColor(new Color(s.rgb()));
                switch (s.kind()) {
                    case CIRCLE -> g.fillOval(x, y, s.size(), s.size());
                    case SQUARE -> g.fillRect(x, y, s.size(), s.size());
                    case TRIANGLE -> g.fillPolygon(new Polygon(
                            new int[]{x + s.size() / 2, x + s.size(), x},
                            new int[]{y, y + s.size(), y + s.size()}, 3));
                }
            }
            drawIndex(g, index, spec.width(), spec.height());
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawIndex(Graphics2D g, int index, int w, int h) {
        int strip = stripHeight(h);
        g.setColor(Color.BLACK);
        g.fillRect(0, h - strip, w, strip);
        g.setColor(Color.WHITE);
        for (int bit = 0; bit < INDEX_BITS; bit++) {
            if ((index >>> (INDEX_BITS - 1 - bit) & 1) != 0) {
                int x0 = bit * w / INDEX_BITS;
                int x1 = (bit + 1) * w / INDEX_BITS;
                g.fillRect(x0, h - strip, x1 - x0, strip);
            }
        }
    }

    /**
     * Reads the frame index back from an image of the clip, also after resizing to another size with the same
     * aspect ratio (or letterboxed: give the content rectangle). Returns -1 when the strip is unreadable.
     */
    public static int readFrameIndex(BufferedImage img, int left, int top, int width, int height) {
        // the strip is about 1/15 of the height (at any scale): sample well inside it
        int y = top + height - 1 - height / 40;
        int index = 0;
        for (int bit = 0; bit < INDEX_BITS; bit++) {
            int x = left + (int) ((bit + 0.5) * width / INDEX_BITS);
            int rgb = img.getRGB(x, y);
            int luma = (((rgb >> 16) & 0xFF) * 3 + ((rgb >> 8) & 0xFF) * 6 + (rgb & 0xFF)) / 10;
            if (luma > 170) {
                index |= 1 << (INDEX_BITS - 1 - bit);
            } else if (luma > 85) {
                return -1; // neither black nor white: not a strip
            }
        }
        return index;
    }

    /** Mono s16 samples {@code [from, from + count)} of the clip's audio at its sample rate. */
    public static short[] renderAudio(GroundTruth truth, long from, int count) {
        int rate = truth.spec().sampleRate();
        short[] out = new short[count];
        if (rate == 0) {
            return out;
        }
        double fade = rate * 0.005; // 5 ms ramps: no clicks, so a tone's energy stays inside its interval
        for (GroundTruth.Tone tone : truth.tones()) {
            long s0 = tone.startMicros() * rate / 1_000_000L;
            long s1 = tone.endMicros() * rate / 1_000_000L;
            long a = Math.max(s0, from);
            long b = Math.min(s1, from + count);
            for (long n = a; n < b; n++) {
                double env = Math.min(1.0, Math.min((n - s0) / fade, (s1 - n) / fade));
                double v = tone.amplitude() * env * Math.sin(2 * Math.PI * tone.frequencyHz() * (n - s0) / rate);
                int i = (int) (n - from);
                out[i] = (short) Math.clamp(out[i] + Math.round(v * 32767), Short.MIN_VALUE, Short.MAX_VALUE);
            }
        }
        return out;
    }

    /**
     * Plans, renders and encodes the clip into {@code file} (parent folders are created).
     *
     * @throws IOException when FFmpeg cannot write the file
     */
    public static GroundTruth generate(SyntheticClipSpec spec, Path file) throws IOException {
        GrabberFactory.quietFfmpegLog();
        GroundTruth truth = plan(spec);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        int channels = spec.sampleRate() > 0 ? 1 : 0;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), spec.width(), spec.height(),
                channels);
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            String container = containerFor(file);
            recorder.setFormat(container);
            if (container.equals("hls")) {
                // a finished (VOD) playlist of 1 s segments next to the .m3u8, as an HLS server would serve
                recorder.setOption("hls_time", "1");
                recorder.setOption("hls_list_size", "0");
                recorder.setOption("hls_playlist_type", "vod");
                // the HLS muxer asks for global headers, which MPEG-TS segments cannot carry: keep the MPEG-4
                // headers in the stream so every segment decodes on its own
                recorder.setVideoOption("flags", "-global_header");
            }
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(spec.fps());
            recorder.setGopSize(spec.fps());
            // generous bitrate: clean edges keep the index strip and the shapes' colours exact
            recorder.setVideoBitrate((int) Math.max(400_000, (long) spec.width() * spec.height() * spec.fps() / 5));
            if (channels > 0) {
                // MPEG-TS gets MPEG-1 Layer II audio: it survives RTP re-streaming (e.g. by VLC) better than AAC
                recorder.setAudioCodec(file.toString().endsWith(".ts") ? avcodec.AV_CODEC_ID_MP2
                        : avcodec.AV_CODEC_ID_AAC);
                recorder.setSampleRate(spec.sampleRate());
                recorder.setAudioChannels(1);
                recorder.setAudioBitrate(96_000);
            }
            recorder.start();
            long samplesWritten = 0;
            for (int i = 0; i < spec.frameCount(); i++) {
                Frame frame = converter.convert(renderFrame(truth, i));
                recorder.record(frame);
                if (channels > 0) {
                    long until = (long) (i + 1) * spec.sampleRate() / spec.fps();
                    short[] samples = renderAudio(truth, samplesWritten, (int) (until - samplesWritten));
                    recorder.recordSamples(spec.sampleRate(), 1, ShortBuffer.wrap(samples));
                    samplesWritten = until;
                }
            }
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot write synthetic clip " + file + ": " + e.getMessage(), e);
        }
        return truth;
    }

    private static String containerFor(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".mkv")) {
            return "matroska";
        }
        if (name.endsWith(".ts")) {
            return "mpegts";
        }
        if (name.endsWith(".m3u8")) {
            return "hls";
        }
        return "mp4";
    }
}
