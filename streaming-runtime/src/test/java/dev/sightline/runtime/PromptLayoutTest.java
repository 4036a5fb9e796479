package dev.sightline.runtime;

import dev.sightline.model.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session's prompt layout on the tiny SmolVLM fixture (its tokenizer has SmolVLM's special tokens): the chat
 * turn, each frame as SmolVLM's frame prompt, audio bare, the question closing the user turn.
 * (bench's {@code StreamQaLayoutTest} checks it id for id against the trained StreamQA checkpoint's prompt.)
 */
class PromptLayoutTest {
    static DecoderSessionModel model;
    static TextTokenizer tokenizer;
    static PromptLayout layout;

    @BeforeAll
    static void load() {
        model = DecoderSessionModel.load(Fixtures.smolvlm());
        tokenizer = TextTokenizer.load(Fixtures.smolvlm().resolve("tokenizer.json"));
        layout = PromptLayout.of(model);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    private static String text(int[] ids) {
        return tokenizer.decode(ids, false);
    }

    @Test
    void theSessionOpensTheChatTurnWithTheBosTokenKept() {
        assertThat(layout.chatTemplate()).isTrue();
        int[] bare = layout.opening("");
        assertThat(bare[0]).as("<|im_start|> is this tokenizer's BOS, written, not added").isEqualTo(1);
        assertThat(text(bare)).isEqualTo("<|im_start|>User:");
        assertThat(text(layout.opening(" Watch the door. "))).isEqualTo(
                "<|im_start|>System: Watch the door.<end_of_utterance>\nUser:");
    }

    @Test
    void framesGetTheirTimeLineAndImageWrappingAndAudioNoText() {
        var frame = Fixtures.videoBatch("cam", 150, 4, model.hiddenSize(), 2.0);   // 75 s
        assertThat(text(layout.beforeBatch(frame))).isEqualTo(
                "\nFrame from 01:15:<fake_token_around_image><global-img>");
        assertThat(text(layout.afterBatch(frame))).isEqualTo("<fake_token_around_image>");
        var audio = Fixtures.audioBatch("cam", 3, 2, model.hiddenSize());
        assertThat(layout.beforeBatch(audio)).isEmpty();
        assertThat(layout.afterBatch(audio)).isEmpty();
    }

    @Test
    void theQuestionClosesTheUserTurnAndOpensTheAnswer() {
        assertThat(text(layout.question(" What moved? "))).isEqualTo(
                "\nWhat moved?<end_of_utterance>\nAssistant:");
        assertThat(text(layout.followUp("And then?"))).isEqualTo(
                "<end_of_utterance>\nUser: And then?<end_of_utterance>\nAssistant:");
    }
}
