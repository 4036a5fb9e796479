package dev.sightline.runtime;

import dev.sightline.model.FramePrompt;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;

/**
 * The text a session puts around a stream's tokens, as the model family lays out its prompt, so a checkpoint sees
 * in the runtime what it saw in training. For a SmolVLM/Idefics3 checkpoint (its tokenizer has the chat and
 * image-wrapping special tokens) that is the chat template's user turn:
 * <pre>
 *   &lt;|im_start|&gt;[System: ...&lt;end_of_utterance&gt;\n]User:                     once, pinned
 *   \nFrame from mm:ss:&lt;fake_token_around_image&gt;&lt;global-img&gt; TOKENS &lt;fake_token_around_image&gt;   per frame
 *   TOKENS                                                                              per audio chunk
 *   \nQUESTION&lt;end_of_utterance&gt;\nAssistant:                                           per question
 *   &lt;end_of_utterance&gt;\nUser: QUESTION&lt;end_of_utterance&gt;\nAssistant:                   a later turn (multi-turn)
 * </pre>
 * The frame part is {@link FramePrompt}'s layout with the batch's embeddings where its {@code <image>} tokens
 * would be; audio tokens follow their frame with no text, as Sightline's audio checkpoints place {@code <audio>}.
 * A checkpoint whose tokenizer lacks those special tokens gets the same text without them (never their spelling
 * split into ordinary tokens).
 */
final class PromptLayout {
    static final String IM_START = "<|im_start|>";

    private final SessionModel model;
    private final boolean chat;
    private final boolean imageWrap;

    private PromptLayout(SessionModel model, boolean chat, boolean imageWrap) {
        this.model = model;
        this.chat = chat;
        this.imageWrap = imageWrap;
    }

    /** The layout {@code model}'s tokenizer supports: a special token encodes to exactly one id. */
    static PromptLayout of(SessionModel model) {
        boolean chat = isSpecial(model, IM_START) && isSpecial(model, FramePrompt.END_OF_UTTERANCE);
        boolean wrap = isSpecial(model, FramePrompt.AROUND_IMAGE) && isSpecial(model, FramePrompt.GLOBAL_IMAGE);
        return new PromptLayout(model, chat, wrap);
    }

    private static boolean isSpecial(SessionModel model, String token) {
        return model.encode(token).length == 1;
    }

    /** Whether this is the SmolVLM chat layout (false: plain text around the same tokens). */
    boolean chatTemplate() {
        return chat;
    }

    /** What a session starts with: the user turn opened, after an optional system turn. */
    int[] opening(String systemPrompt) {
        boolean system = systemPrompt != null && !systemPrompt.isBlank();
        String text;
        if (chat) {
            text = IM_START + (system ? "System: " + systemPrompt.strip() + FramePrompt.END_OF_UTTERANCE + "\n" : "")
                    + "User:";
        } else {
            text = (system ? systemPrompt.strip() + "\n" : "") + "User:";
        }
        return model.encode(text);
    }

    /** The text ids before a batch's tokens: a frame's time line and opening image tokens; nothing for audio. */
    int[] beforeBatch(TokenBatch batch) {
        if (batch.modality() != TokenModality.VIDEO) {
            return new int[0];
        }
        String line = "\nFrame from " + FramePrompt.timestamp(batch.ptsStartMicros()) + ":";
        return model.encode(imageWrap ? line + FramePrompt.AROUND_IMAGE + FramePrompt.GLOBAL_IMAGE : line);
    }

    /** The text ids after a batch's tokens: a frame's closing image token; nothing for audio. */
    int[] afterBatch(TokenBatch batch) {
        if (batch.modality() != TokenModality.VIDEO || !imageWrap) {
            return new int[0];
        }
        return model.encode(FramePrompt.AROUND_IMAGE);
    }

    /**
     * A later question of a multi-turn dialogue: the previous answer's turn ended (the generator never feeds back the
     * stop token it chose), a new user turn with the question, ending where the next answer starts.
     */
    int[] followUp(String text) {
        String q = "\nUser: " + text.strip();
        return model.encode(chat ? FramePrompt.END_OF_UTTERANCE + q + FramePrompt.END_OF_UTTERANCE + "\nAssistant:"
                : q + "\nAssistant:");
    }

    /** A question closing the user turn, ending where the assistant's answer starts. */
    int[] question(String text) {
        String q = "\n" + text.strip();
        return model.encode(chat ? q + FramePrompt.END_OF_UTTERANCE + "\nAssistant:" : q + "\nAssistant:");
    }
}
