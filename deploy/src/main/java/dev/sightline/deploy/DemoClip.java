package dev.sightline.deploy;

import dev.sightline.bench.streamqa.Question;
import dev.sightline.bench.streamqa.Questions;
import dev.sightline.bench.streamqa.Scene;
import dev.sightline.bench.streamqa.StreamQaGenerator;
import dev.sightline.bench.streamqa.StreamQaMediaWriter;
import dev.sightline.bench.streamqa.StreamQaSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's clip: one of StreamQA's fixed evaluation scenes (held out from the model's training), written as an MP4
 * file (MPEG-4 video at 1 fps, AAC audio) that ingest reads like any camera recording, with the questions the
 * benchmark asks about it and their exact answers, so the demo can show whether the answers are right.
 *
 * @param file      the media file
 * @param scene     what happens in it, second by second
 * @param index     the evaluation stream's number ({@link StreamQaSpec#evaluationSeed(int)})
 * @param questions the benchmark's questions about it, each with its answer
 */
record DemoClip(Path file, Scene scene, int index, List<Question> questions) {

    /** Renders evaluation scene {@code index} for {@code seconds} and writes it to {@code file}. */
    static DemoClip generate(int index, int seconds, Path file) throws IOException {
        Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(index), seconds);
        StreamQaMediaWriter.write(scene, StreamQaGenerator.withBundledClips().renderAudio(scene), file);
        return new DemoClip(file, scene, index, Questions.evaluation(scene, index));
    }

    long durationMicros() {
        return scene.frames() * 1_000_000L;
    }

    int sampleRate() {
        return StreamQaSpec.SAMPLE_RATE;
    }

    /** Frame side in pixels (the frames are square). */
    int size() {
        return StreamQaSpec.SIZE;
    }

    /** What is in the clip, in one line. */
    String describe() {
        long words = scene.sounds().stream().filter(Scene.Sound::isWord).count();
        return String.format("StreamQA evaluation scene %d: %d s, %dx%d at 1 fps, %d objects, %d spoken words, "
                        + "%d tones", index, scene.frames(), size(), size(), scene.objects().size(), words,
                scene.sounds().size() - words);
    }

    /** The benchmark's answer to {@code text} about the whole clip, if it asks that question. */
    String answerTo(String text) {
        return Questions.all(scene).values().stream().flatMap(List::stream).filter(q -> q.text().equals(text))
                .map(Question::answer).findFirst().orElse(null);
    }
}
