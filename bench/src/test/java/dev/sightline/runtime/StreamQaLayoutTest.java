package dev.sightline.runtime;

import dev.sightline.bench.streamqa.StreamQaPrompt;
import dev.sightline.bench.streamqa.StreamQaSpec;
import dev.sightline.model.TextTokenizer;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime lays a stream out exactly as the StreamQA checkpoint was trained on it: the ids a session prefills
 * (its {@link PromptLayout} text around each batch, with the batch's tokens where {@code <image>} and
 * {@code <audio>} stand in the training prompt) are {@link StreamQaPrompt}'s ids, token for token.
 * (In package {@code dev.sightline.runtime} to reach the session's package-private layout.)
 */
class StreamQaLayoutTest {

    static final Path MODEL = Path.of("..", "training", "streamqa", "model");

    @Test
    void theSessionsPromptIsTheTrainingPromptTokenForToken() {
        int seconds = 75;   // past a minute, so "01:14" is laid out as the processor writes it
        String question = "What colour was the square at 00:07?";
        try (DecoderSessionModel model = DecoderSessionModel.load(MODEL);
             TextTokenizer tokenizer = TextTokenizer.load(MODEL.resolve("tokenizer.json"))) {
            PromptLayout layout = PromptLayout.of(model);
            assertThat(layout.chatTemplate()).isTrue();
            int image = tokenizer.tokenId("<image>");
            int audio = tokenizer.tokenId(StreamQaPrompt.AUDIO_TOKEN);

            List<Integer> session = new ArrayList<>();
            add(session, layout.opening(""));
            for (int s = 0; s < seconds; s++) {
                TokenBatch frame = batch(s, TokenModality.VIDEO);
                add(session, layout.beforeBatch(frame));
                add(session, repeat(image, StreamQaSpec.IMAGE_TOKENS_PER_FRAME));
                add(session, layout.afterBatch(frame));
                TokenBatch sound = batch(s, TokenModality.AUDIO);
                add(session, layout.beforeBatch(sound));
                add(session, repeat(audio, StreamQaSpec.AUDIO_TOKENS_PER_SECOND));
                add(session, layout.afterBatch(sound));
            }
            add(session, layout.question(question));

            int[] trained = tokenizer.encode(StreamQaPrompt.stream(seconds) + StreamQaPrompt.question(question));
            assertThat(session).containsExactlyElementsOf(IntStream.of(trained).boxed().toList());
        }
    }

    /** A batch with no tokens: the layout depends on its modality and time only. */
    private static TokenBatch batch(int second, TokenModality modality) {
        long pts = second * 1_000_000L;
        return new TokenBatch("cam", second, pts, pts + 1_000_000, modality, modality == TokenModality.VIDEO ? 4 : 0,
                modality == TokenModality.VIDEO ? 4 : 0, 0, 1, List.of());
    }

    private static int[] repeat(int id, int n) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, id);
        return out;
    }

    private static void add(List<Integer> to, int[] ids) {
        for (int id : ids) {
            to.add(id);
        }
    }
}
