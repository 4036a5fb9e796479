package dev.sightline.bench.streamqa;

/**
 * The prompt text the StreamQA model was trained on, which is the runtime's layout: per second the line
 * {@code "\nFrame from mm:ss:"}, the frame's image tokens, then that second's audio tokens; the question after
 * the stream. The stream part ends on a special token, so it tokenizes the same alone as inside the whole prompt.
 */
public final class StreamQaPrompt {

    public static final String AUDIO_TOKEN = "<audio>";

    private StreamQaPrompt() {
    }

    /** The stream part: {@code <|im_start|>User:} and every second's frame and audio tokens. */
    public static String stream(int frames) {
        StringBuilder s = new StringBuilder("<|im_start|>User:");
        String image = "<fake_token_around_image><global-img>"
                + "<image>".repeat(StreamQaSpec.IMAGE_TOKENS_PER_FRAME) + "<fake_token_around_image>";
        String audio = AUDIO_TOKEN.repeat(StreamQaSpec.AUDIO_TOKENS_PER_SECOND);
        for (int f = 0; f < frames; f++) {
            s.append("\nFrame from ").append(StreamQaSpec.timestamp(f)).append(':').append(image).append(audio);
        }
        return s.toString();
    }

    /** The question part that follows the stream, ending where the answer starts. */
    public static String question(String text) {
        return "\n" + text + "<end_of_utterance>\nAssistant:";
    }
}
