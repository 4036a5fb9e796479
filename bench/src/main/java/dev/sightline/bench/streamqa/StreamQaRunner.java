package dev.sightline.bench.streamqa;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.model.AudioTower;
import dev.sightline.model.ImagePreprocessor;
import dev.sightline.model.Model;
import dev.sightline.model.TextDecoder;
import dev.sightline.model.TextTokenizer;
import dev.sightline.model.TokenFeatures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Answers StreamQA questions with a model in the Java engine: the stream's frames go through the engine's
 * preprocessing, vision tower and connector, each second's audio through its log-mel front end, audio tower and
 * projector; the whole stream is prefilled once into a {@link KvSequence} (made by the caller, so any kv-memory
 * policy can be put under test), then every question is asked on an overlay and answered greedily.
 */
public final class StreamQaRunner {

    /** One question's outcome: what was asked, the model's first answer token decoded, and whether it is right. */
    public record Answer(Question question, String predicted, boolean correct) {
    }

    private final Model model;
    private final TextTokenizer tokenizer;
    private final AudioTower audio;
    private final ImagePreprocessor preprocessor;
    private final int imageTokenId;
    private final int audioTokenId;

    public StreamQaRunner(Model model, Path modelDir) {
        this.model = model;
        this.tokenizer = model.tokenizer().orElseThrow(
                () -> new IllegalArgumentException(modelDir + " has no tokenizer.json"));
        this.audio = model.audio().orElseThrow(
                () -> new IllegalArgumentException(modelDir + " has no audio tower (audio_config in config.json)"));
        this.preprocessor = ImagePreprocessor.forTower(model.vision().orElseThrow(
                () -> new IllegalArgumentException(modelDir + " has no vision tower")), modelDir);
        if (preprocessor.size() != StreamQaSpec.SIZE) {
            throw new IllegalArgumentException("the model's vision tower takes " + preprocessor.size()
                    + " px images; StreamQA frames are " + StreamQaSpec.SIZE);
        }
        this.imageTokenId = model.imageTokenId();
        this.audioTokenId = tokenizer.tokenId(StreamQaPrompt.AUDIO_TOKEN);
    }

    /**
     * Feeds the stream second by second (one block per second: its timestamp line, frame tokens and audio tokens)
     * into a store from {@code newStore}, as a live stream arrives, so a budgeted store compresses as it goes; then
     * answers {@code questions}, each on an overlay. {@code frames} are the RGB frames the model sees (the
     * generator's, or decoded from a media file), {@code pcm} the stream's 16 kHz audio.
     */
    public List<Answer> answer(List<byte[]> frames, short[] pcm, List<Question> questions,
                               Function<KvGeometry, KvSequence> newStore) {
        int seconds = frames.size();
        if (pcm.length < seconds * StreamQaSpec.SAMPLE_RATE) {
            throw new IllegalArgumentException(seconds + " frames need " + seconds * StreamQaSpec.SAMPLE_RATE
                    + " audio samples, got " + pcm.length);
        }
        TextDecoder decoder = model.decoder();
        List<Answer> answers = new ArrayList<>(questions.size());
        try (KvSequence kv = newStore.apply(decoder.geometry())) {
            for (int second = 0; second < seconds; second++) {
                String text = (second == 0 ? StreamQaPrompt.PREFIX : "") + StreamQaPrompt.second(second);
                int[] ids = tokenizer.encode(text);
                float[] image = preprocessor.process(frames.get(second), StreamQaSpec.SIZE, StreamQaSpec.SIZE);
                float[] emb = model.embedWithImages(ids, List.of(image));
                List<TokenInfo> infos = placeAudio(ids, emb, second, pcm, kv.nextPosition());
                decoder.forward(emb, infos, kv, TextDecoder.Logits.NONE);
            }
            for (Question q : questions) {
                int[] qIds = tokenizer.encode(StreamQaPrompt.question(q.text()));
                try (KvSequence overlay = kv.overlay()) {
                    float[] logits = decoder.forward(decoder.embed(qIds),
                            Model.textTokens(kv.nextPosition(), qIds.length), overlay, TextDecoder.Logits.LAST);
                    int best = argmax(logits);
                    String predicted = tokenizer.decode(new int[]{best}, true).strip();
                    int[] expected = tokenizer.encode(" " + q.answer());
                    answers.add(new Answer(q, predicted, expected.length > 0 && expected[0] == best));
                }
            }
        }
        return answers;
    }

    /**
     * Writes the second's audio tokens over the embeddings of its {@code <audio>} positions and describes every
     * token of the block (video tokens by patch, audio tokens by chunk, the rest as text) from {@code start} on.
     */
    private List<TokenInfo> placeAudio(int[] ids, float[] emb, int second, short[] pcm, long start) {
        int h = model.decoder().hiddenSize();
        float[] chunk = new float[StreamQaSpec.SAMPLE_RATE];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = pcm[second * StreamQaSpec.SAMPLE_RATE + i] / 32768f;
        }
        TokenFeatures tokens = audio.audioTokens(chunk);
        if (tokens.tokens() != StreamQaSpec.AUDIO_TOKENS_PER_SECOND) {
            throw new IllegalStateException("the audio tower gives " + tokens.tokens() + " tokens a second; the "
                    + "prompt has " + StreamQaSpec.AUDIO_TOKENS_PER_SECOND);
        }
        int side = (int) Math.round(Math.sqrt(StreamQaSpec.IMAGE_TOKENS_PER_FRAME));
        long pts = second * 1_000_000L;
        List<TokenInfo> infos = new ArrayList<>(ids.length);
        int patch = 0;
        int audioSlot = 0;
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] == imageTokenId) {
                infos.add(TokenInfo.video(start + t, pts, second, patch / side, patch % side, 1));
                patch++;
            } else if (ids[t] == audioTokenId) {
                System.arraycopy(tokens.data(), audioSlot * h, emb, t * h, h);
                infos.add(TokenInfo.audio(start + t, pts, second, 1));
                audioSlot++;
            } else {
                infos.add(TokenInfo.text(start + t));
            }
        }
        if (audioSlot != StreamQaSpec.AUDIO_TOKENS_PER_SECOND) {
            throw new IllegalStateException("second " + second + " has " + audioSlot + " audio tokens in its prompt");
        }
        return infos;
    }

    /** Frames of a generated scene, as the generator renders them. */
    public static List<byte[]> frames(Scene scene) {
        List<byte[]> out = new ArrayList<>(scene.frames());
        for (int f = 0; f < scene.frames(); f++) {
            out.add(StreamQaGenerator.renderFrame(scene, f));
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Accuracy of a list of answers, 0 for none. */
    public static double accuracy(List<Answer> answers) {
        return answers.isEmpty() ? 0 : answers.stream().filter(Answer::correct).count() / (double) answers.size();
    }
}
