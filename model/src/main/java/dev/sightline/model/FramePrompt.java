package dev.sightline.model;

/**
 * SmolVLM2's prompt layout for video frames: before each frame's image tokens the text {@code "\nFrame from mm:ss:"},
 * and each frame's tokens wrapped as {@code <fake_token_around_image><global-img><image>...<fake_token_around_image>}
 * (frames are not tiled, so every frame is a single "global" image).
 */
public final class FramePrompt {

    public static final String IMAGE_TOKEN = "<image>";
    public static final String AROUND_IMAGE = "<fake_token_around_image>";
    public static final String GLOBAL_IMAGE = "<global-img>";
    public static final String END_OF_UTTERANCE = "<end_of_utterance>";

    private FramePrompt() {
    }

    /** {@code mm:ss} of a stream time (minutes keep counting past 59, as the processor's formatting does). */
    public static String timestamp(long ptsMicros) {
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("a frame time must be >= 0, got " + ptsMicros);
        }
        long seconds = ptsMicros / 1_000_000;
        return String.format("%02d:%02d", seconds / 60, seconds % 60);
    }

    /** The image-token run for one frame of {@code tokensPerImage} tokens. */
    public static String imageTokens(int tokensPerImage) {
        return AROUND_IMAGE + GLOBAL_IMAGE + IMAGE_TOKEN.repeat(tokensPerImage) + AROUND_IMAGE;
    }

    /** The text for one frame: its timestamp line followed by its image tokens. */
    public static String frame(long ptsMicros, int tokensPerImage) {
        return "\nFrame from " + timestamp(ptsMicros) + ":" + imageTokens(tokensPerImage);
    }
}
