package dev.sightline.bench.streamqa;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.sightline.bench.streamqa.StreamQaSpec.BOX;
import static dev.sightline.bench.streamqa.StreamQaSpec.COLOUR_RGB;
import static dev.sightline.bench.streamqa.StreamQaSpec.DIGIT_KIND;
import static dev.sightline.bench.streamqa.StreamQaSpec.EVENT_OFFSET;
import static dev.sightline.bench.streamqa.StreamQaSpec.FONT;
import static dev.sightline.bench.streamqa.StreamQaSpec.MAX_X;
import static dev.sightline.bench.streamqa.StreamQaSpec.MAX_Y;
import static dev.sightline.bench.streamqa.StreamQaSpec.SAMPLE_RATE;
import static dev.sightline.bench.streamqa.StreamQaSpec.SHELF_GREY;
import static dev.sightline.bench.streamqa.StreamQaSpec.SHELF_TOP;
import static dev.sightline.bench.streamqa.StreamQaSpec.SIZE;

/**
 * Makes StreamQA streams from a seed: the scene plan ({@link #plan}), its frames ({@link #renderFrame}, 64x64 RGB
 * at 1 fps) and its 16 kHz audio ({@link #renderAudio}). Every rule is integer arithmetic in a fixed order of
 * SplitMix64 draws, so training/streamqa/streamqa.py produces the same frames bit for bit from the same seed.
 */
public final class StreamQaGenerator {

    private static final boolean[][][] MASKS = new boolean[3 + 10][][];

    static {
        for (int k = 0; k < 3; k++) {
            MASKS[k] = mask(k, 0);
        }
        for (int d = 0; d < 10; d++) {
            MASKS[3 + d] = mask(DIGIT_KIND, d);
        }
    }

    private final ClipBank clips;

    public StreamQaGenerator(ClipBank clips) {
        this.clips = clips;
    }

    /** A generator reading the clip bank on the class path. */
    public static StreamQaGenerator withBundledClips() {
        return new StreamQaGenerator(ClipBank.bundled());
    }

    /**
     * Draws a scene of {@code frames} seconds. Every draw is made even when its value goes unused (a glyph's digit
     * for a shape, a tone for a word), so both languages stay in step.
     */
    public static Scene plan(long seed, int frames) {
        if (frames < 4) {
            throw new IllegalArgumentException("a stream needs at least 4 frames, got " + frames);
        }
        SplitMix64 rng = new SplitMix64(seed);
        int background = 30 + 10 * rng.nextInt(4);
        int nObjects = 3 + rng.nextInt(4);
        List<Scene.SceneObject> objects = new ArrayList<>();
        for (int i = 0; i < nObjects; i++) {
            for (int attempt = 0; attempt < 20; attempt++) {
                int kind = rng.nextInt(4);
                int digit = rng.nextInt(10);
                int colour = rng.nextInt(8);
                int start = rng.nextInt(frames - 1);
                int end = Math.min(frames, start + 2 + rng.nextInt(5));
                int x0 = rng.nextInt(MAX_X + 1);
                int y0 = rng.nextInt(MAX_Y + 1);
                int vx = rng.nextInt(7) - 3;
                int vy = rng.nextInt(5) - 2;
                Scene.SceneObject o = new Scene.SceneObject(objects.size(), kind, kind == DIGIT_KIND ? digit : -1,
                        colour, start, end, x0, y0, vx, vy);
                if (acceptable(o, objects)) {
                    objects.add(o);
                    break;
                }
            }
        }
        int nSounds = 2 + rng.nextInt(4);
        List<Scene.Sound> sounds = new ArrayList<>();
        for (int i = 0; i < nSounds; i++) {
            for (int attempt = 0; attempt < 20; attempt++) {
                int second = rng.nextInt(frames);
                boolean isWord = rng.nextInt(3) != 0;
                int word = rng.nextInt(StreamQaSpec.WORDS.size());
                int tone = rng.nextInt(StreamQaSpec.TONE_HZ.length);
                if (sounds.stream().noneMatch(s -> s.second() == second)) {
                    sounds.add(new Scene.Sound(second, isWord, isWord ? word : -1, isWord ? -1 : tone));
                    break;
                }
            }
        }
        sounds.sort(Comparator.comparingInt(Scene.Sound::second));
        return new Scene(seed, frames, background, objects, sounds);
    }

    /** At most two objects on screen at once, never two of one kind together, and no two starting together. */
    private static boolean acceptable(Scene.SceneObject o, List<Scene.SceneObject> objects) {
        for (Scene.SceneObject p : objects) {
            if (p.start() == o.start()) {
                return false;
            }
        }
        for (int f = o.start(); f < o.end(); f++) {
            int on = 0;
            for (Scene.SceneObject p : objects) {
                if (p.visibleAt(f)) {
                    on++;
                    if (p.kind() == o.kind()) {
                        return false;
                    }
                }
            }
            if (on >= 2) {
                return false;
            }
        }
        return true;
    }

    /** The integer shape rules: square fills the box; circle and triangle tested at pixel centres in half-pixels. */
    static boolean[][] mask(int kind, int digit) {
        boolean[][] m = new boolean[BOX][BOX];
        for (int r = 0; r < BOX; r++) {
            for (int c = 0; c < BOX; c++) {
                m[r][c] = switch (kind) {
                    case 0 -> true;
                    case 1 -> (2 * c - 15) * (2 * c - 15) + (2 * r - 15) * (2 * r - 15) <= 256;
                    case 2 -> Math.abs(2 * c - 15) <= r;
                    default -> {
                        int gr = r - 1;
                        int gc = c - 3; // the 5x7 glyph scaled by 2 (10x14) at offset (3, 1)
                        yield gr >= 0 && gr < 14 && gc >= 0 && gc < 10
                                && ((FONT[digit][gr / 2] >> (4 - gc / 2)) & 1) == 1;
                    }
                };
            }
        }
        return m;
    }

    /** Frame {@code f} as interleaved RGB bytes {@code [SIZE][SIZE][3]}: background, shelf, objects in order. */
    public static byte[] renderFrame(Scene scene, int f) {
        if (f < 0 || f >= scene.frames()) {
            throw new IllegalArgumentException("frame " + f + " is outside the stream's " + scene.frames() + " frames");
        }
        byte[] rgb = new byte[SIZE * SIZE * 3];
        for (int y = 0; y < SIZE; y++) {
            int grey = y >= SHELF_TOP ? SHELF_GREY : scene.background();
            for (int x = 0; x < SIZE; x++) {
                int o = (y * SIZE + x) * 3;
                rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) grey;
            }
        }
        for (Scene.SceneObject obj : scene.objects()) {
            if (!obj.visibleAt(f)) {
                continue;
            }
            boolean[][] m = MASKS[obj.kind() == DIGIT_KIND ? 3 + obj.digit() : obj.kind()];
            int[] colour = COLOUR_RGB[obj.colour()];
            int x0 = obj.x(f);
            int y0 = obj.y(f);
            for (int r = 0; r < BOX; r++) {
                for (int c = 0; c < BOX; c++) {
                    if (m[r][c]) {
                        int o = ((y0 + r) * SIZE + x0 + c) * 3;
                        rgb[o] = (byte) colour[0];
                        rgb[o + 1] = (byte) colour[1];
                        rgb[o + 2] = (byte) colour[2];
                    }
                }
            }
        }
        return rgb;
    }

    /** The stream's audio: {@code frames * 16000} signed 16-bit samples of silence, words and tones. */
    public short[] renderAudio(Scene scene) {
        short[] pcm = new short[scene.frames() * SAMPLE_RATE];
        for (Scene.Sound s : scene.sounds()) {
            short[] data = s.isWord() ? clips.clip(s.wordText()) : tone(s.tone());
            int n = Math.min(data.length, SAMPLE_RATE - EVENT_OFFSET);
            System.arraycopy(data, 0, pcm, s.second() * SAMPLE_RATE + EVENT_OFFSET, n);
        }
        return pcm;
    }

    /** Half a second of a sine at the tone's pitch, rounded half up (the Python twin uses floor(x + 0.5) too). */
    static short[] tone(int tone) {
        double hz = StreamQaSpec.TONE_HZ[tone];
        short[] out = new short[StreamQaSpec.TONE_SAMPLES];
        for (int n = 0; n < out.length; n++) {
            out[n] = (short) Math.floor(StreamQaSpec.TONE_AMPLITUDE * Math.sin(2 * Math.PI * hz * n / SAMPLE_RATE)
                    + 0.5);
        }
        return out;
    }
}
