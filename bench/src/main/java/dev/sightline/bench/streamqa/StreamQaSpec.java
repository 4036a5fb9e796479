package dev.sightline.bench.streamqa;

import java.util.List;

/**
 * The constants of the StreamQA spec (docs/streamqa.md), shared word for word with training/streamqa/streamqa.py:
 * frame geometry, palette, object kinds, the digit font, the spoken words, tones and the evaluation seeds.
 */
public final class StreamQaSpec {

    /** Frame side in pixels: the trained model's vision tower size, so frames reach it unresized. */
    public static final int SIZE = 64;
    /** Every object is drawn inside a BOX x BOX square. */
    public static final int BOX = 16;
    public static final int MAX_X = SIZE - BOX;
    /** Objects stay above the shelf. */
    public static final int MAX_Y = 40;
    public static final int SHELF_TOP = 56;
    public static final int SHELF_GREY = 90;
    public static final int SAMPLE_RATE = 16000;
    /** Audio events start 50 ms into their second. */
    public static final int EVENT_OFFSET = 800;
    public static final int TONE_SAMPLES = 8000;
    public static final double TONE_AMPLITUDE = 9830.0;

    public static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "magenta", "cyan", "white",
            "orange");
    static final int[][] COLOUR_RGB = {{220, 40, 40}, {40, 190, 60}, {50, 80, 230}, {240, 220, 40}, {220, 50, 220},
            {40, 220, 220}, {240, 240, 240}, {245, 140, 30}};
    public static final List<String> KINDS = List.of("square", "circle", "triangle", "digit");
    public static final int DIGIT_KIND = 3;
    public static final List<String> DIGIT_WORDS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine");
    public static final List<String> NAMES = List.of("alice", "bob", "carol", "dave", "eve", "frank");
    /** The clip bank's words, in the order the generator indexes them: colours, digits, names. */
    public static final List<String> WORDS;
    public static final int[] TONE_HZ = {330, 550, 880, 1320};

    /** 5x7 digit glyphs: 7 rows of 5 bits, most significant bit left. */
    static final int[][] FONT = {
            {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E},
            {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
            {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F},
            {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
            {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02},
            {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
            {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E},
            {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
            {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E},
            {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C},
    };

    /**
     * Evaluation seeds are {@code EVAL_SEED_BASE + i}; training draws seeds below it only, so the two never meet.
     */
    public static final long EVAL_SEED_BASE = 1_000_000_007L;

    public static final int IMAGE_TOKENS_PER_FRAME = 16;
    public static final int AUDIO_TOKENS_PER_SECOND = 2;

    static {
        var words = new java.util.ArrayList<String>(COLOURS);
        words.addAll(DIGIT_WORDS);
        words.addAll(NAMES);
        WORDS = List.copyOf(words);
    }

    private StreamQaSpec() {
    }

    /** The i-th fixed evaluation seed. */
    public static long evaluationSeed(int i) {
        if (i < 0) {
            throw new IllegalArgumentException("evaluation stream index must be >= 0, got " + i);
        }
        return EVAL_SEED_BASE + i;
    }

    /** {@code mm:ss} of a second in the stream, as the frame prompt writes it. */
    public static String timestamp(int second) {
        return String.format("%02d:%02d", second / 60, second % 60);
    }
}
