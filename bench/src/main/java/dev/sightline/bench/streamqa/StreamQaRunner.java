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
     * Prefills the stream into a store from {@code newStore} and answers {@code questions} on overlays of it.
     * {@code frames} are the RGB frames the model sees (the generator's, or decoded from a media file), {@code pcm}
     * the stream's 16 kHz audio.
     */
    public List<Answer> answer(List<byte[]> frames, short[] pcm, List<Question> questions,
                               Function<KvGeometry, KvSequence> newStore) {
        int seconds = frames.size();
        if (pcm.length < seconds * StreamQaSpec.SAMPLE_RATE) {
            throw new IllegalArgumentException(seconds + " frames need " + seconds * StreamQaSpec.SAMPLE_RATE
                    + " audio samples, got " + pcm.length);
        }
        TextDecoder decoder = model.decoder();
        int h = decoder.hiddenSize();
        int[] ids = tokenizer.encode(StreamQaPrompt.stream(seconds));
        List<float[]> images = new ArrayList<>(seconds);
        for (byte[] rgb : frames) {
            images.add(preprocessor.process(rgb, StreamQaSpec.SIZE, StreamQaSpec.SIZE));
        }
        float[] emb = model.embedWithImages(ids, images);
        List<TokenInfo> infos = new ArrayList<>(ids.length);
        int audioSlot = 0;
        int imageSlot = 0;
        int perImage = StreamQaSpec.IMAGE_TOKENS_PER_FRAME;
        int side = (int) Math.round(Math.sqrt(perImage));
        float[] chunk = new float[StreamQaSpec.SAMPLE_RATE];
        TokenFeatures secondTokens = null;
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] == imageTokenId) {
                int frame = imageSlot / perImage;
                int patch = imageSlot % perImage;
                infos.add(TokenInfo.video(t, frame * 1_000_000L, frame, patch / side, patch % side, 1));
                imageSlot++;
            } else if (ids[t] == audioTokenId) {
                int second = audioSlot / StreamQaSpec.AUDIO_TOKENS_PER_SECOND;
                int within = audioSlot % StreamQaSpec.AUDIO_TOKENS_PER_SECOND;
                if (within == 0) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = pcm[second * StreamQaSpec.SAMPLE_RATE + i] / 32768f;
                    }
                    secondTokens = audio.audioTokens(chunk);
                    if (secondTokens.tokens() != StreamQaSpec.AUDIO_TOKENS_PER_SECOND) {
                        throw new IllegalStateException("the audio tower gives " + secondTokens.tokens()
                                + " tokens a second; the prompt has " + StreamQaSpec.AUDIO_TOKENS_PER_SECOND);
                    }
                }
                System.arraycopy(secondTokens.data(), within * h, emb, t * h, h);
                infos.add(TokenInfo.audio(t, second * 1_000_000L, second, 1));
                audioSlot++;
            } else {
                infos.add(TokenInfo.text(t));
            }
        }
        List<Answer> answers = new ArrayList<>(questions.size());
        try (KvSequence kv = newStore.apply(decoder.geometry())) {
            decoder.forward(emb, infos, kv, TextDecoder.Logits.NONE);
            for (Question q : questions) {
                int[] qIds = tokenizer.encode(StreamQaPrompt.question(q.text()));
                long start = kv.nextPosition();
                try (KvSequence overlay = kv.overlay()) {
                    float[] logits = decoder.forward(decoder.embed(qIds), Model.textTokens(start, qIds.length),
                            overlay, TextDecoder.Logits.LAST);
                    int best = argmax(logits);
                    String predicted = tokenizer.decode(new int[]{best}, true).strip();
                    int[] expected = tokenizer.encode(" " + q.answer());
                    answers.add(new Answer(q, predicted, expected.length > 0 && expected[0] == best));
                }
            }
        }
        return answers;
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
