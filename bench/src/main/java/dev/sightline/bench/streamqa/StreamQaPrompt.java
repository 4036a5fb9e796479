package dev.sightline.bench.streamqa;

/**
 * The prompt text the StreamQA model was trained on, which is the runtime's layout: per second the line
 * {@code "\nFrame from mm:ss:"}, the frame's image tokens, then that second's audio tokens; the question after
 * the stream. Each second ends on a special token, so the seconds tokenize alone as they do inside the whole
 * prompt (the runner feeds them one by one).
 */
public final class StreamQaPrompt {

    public static final String AUDIO_TOKEN = "<audio>";

    private StreamQaPrompt() {
    }

    /** What the user turn starts with, before the first second. */
    public static final String PREFIX = "<|im_start|>User:";

    /** The stream part: {@link #PREFIX} and every second's frame and audio tokens. */
    public static String stream(int frames) {
        StringBuilder s = new StringBuilder(PREFIX);
        for (int f = 0; f < frames; f++) {
            s.append(second(f));
        }
        return s.toString();
    }

    /** One second of stream: its timestamp line, its frame's image tokens and its audio tokens. */
    public static String second(int second) {
        return "\nFrame from " + StreamQaSpec.timestamp(second) + ":<fake_token_around_image><global-img>"
                + "<image>".repeat(StreamQaSpec.IMAGE_TOKENS_PER_FRAME) + "<fake_token_around_image>"
                + AUDIO_TOKEN.repeat(StreamQaSpec.AUDIO_TOKENS_PER_SECOND);
    }

    /** The question part that follows the stream, ending where the answer starts. */
    public static String question(String text) {
        return "\n" + text + "<end_of_utterance>\nAssistant:";
    }
}
