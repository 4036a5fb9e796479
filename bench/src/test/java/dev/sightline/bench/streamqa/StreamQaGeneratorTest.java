package dev.sightline.bench.streamqa;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamQaGeneratorTest {

    private static final StreamQaGenerator GENERATOR = StreamQaGenerator.withBundledClips();

    @Test
    void sameSeedGivesTheSameStreamAndOtherSeedsDiffer() {
        Scene a = StreamQaGenerator.plan(77, 16);
        Scene b = StreamQaGenerator.plan(77, 16);
        assertThat(a).isEqualTo(b);
        for (int f = 0; f < 16; f++) {
            assertThat(StreamQaGenerator.renderFrame(a, f)).isEqualTo(StreamQaGenerator.renderFrame(b, f));
        }
        assertThat(GENERATOR.renderAudio(a)).isEqualTo(GENERATOR.renderAudio(b));
        assertThat(Questions.all(a)).isEqualTo(Questions.all(b));
        assertThat(StreamQaGenerator.plan(78, 16)).isNotEqualTo(a);
    }

    @Test
    void scenesKeepTheirRulesAtAnyLength() {
        for (int frames : new int[]{4, 16, 200}) {
            for (long seed = 0; seed < 200; seed++) {
                Scene s = StreamQaGenerator.plan(seed, frames);
                assertThat(s.objects()).isNotEmpty();
                assertThat(s.sounds()).isNotEmpty();
                for (int f = 0; f < frames; f++) {
                    List<Scene.SceneObject> on = s.visibleAt(f);
                    assertThat(on.size()).as("seed %d frame %d", seed, f).isLessThanOrEqualTo(2);
                    if (on.size() == 2) {
                        assertThat(on.get(0).kind()).isNotEqualTo(on.get(1).kind());
                    }
                    for (Scene.SceneObject o : on) {
                        assertThat(o.x(f)).isBetween(0, StreamQaSpec.MAX_X);
                        assertThat(o.y(f)).isBetween(0, StreamQaSpec.MAX_Y);
                    }
                }
                assertThat(s.objects().stream().map(Scene.SceneObject::start).distinct().count())
                        .isEqualTo(s.objects().size());
                assertThat(s.sounds().stream().map(Scene.Sound::second).distinct().count())
                        .isEqualTo(s.sounds().size());
                assertThat(GENERATOR.renderAudio(s)).hasSize(frames * StreamQaSpec.SAMPLE_RATE);
            }
        }
    }

    /** A hand-built scene: a red square moving right, then a blue seven, then a green circle still there at the end. */
    private static Scene handBuilt() {
        return new Scene(1, 8, 40, List.of(
                new Scene.SceneObject(0, 0, -1, 0, 0, 3, 0, 0, 2, 0),
                new Scene.SceneObject(1, 3, 7, 2, 2, 5, 30, 10, 0, 0),
                new Scene.SceneObject(2, 1, -1, 1, 5, 8, 20, 20, 0, 1)),
                List.of(new Scene.Sound(1, true, StreamQaSpec.WORDS.indexOf("alice"), -1),
                        new Scene.Sound(3, false, -1, 2),
                        new Scene.Sound(6, true, StreamQaSpec.WORDS.indexOf("seven"), -1)));
    }

    @Test
    void handBuiltSceneRendersByTheIntegerRules() {
        Scene s = handBuilt();
        byte[] f0 = StreamQaGenerator.renderFrame(s, 0);
        assertThat(rgb(f0, 0, 0)).containsExactly(220, 40, 40);     // the square's corner is drawn
        assertThat(rgb(f0, 16, 0)).containsExactly(40, 40, 40);     // one past it is background
        assertThat(rgb(f0, 5, 60)).containsExactly(90, 90, 90);     // the shelf
        byte[] f2 = StreamQaGenerator.renderFrame(s, 2);
        assertThat(rgb(f2, 4, 0)).containsExactly(220, 40, 40);     // moved 2 px a second: x 4..19
        assertThat(rgb(f2, 3, 0)).containsExactly(40, 40, 40);
        byte[] f5 = StreamQaGenerator.renderFrame(s, 5);
        assertThat(rgb(f5, 20 + 7, 20 + 7)).containsExactly(40, 190, 60);  // the circle's centre
        assertThat(rgb(f5, 20, 20)).containsExactly(40, 40, 40);            // its box corner stays background
        byte[] f6 = StreamQaGenerator.renderFrame(s, 6);
        assertThat(rgb(f6, 27, 21)).containsExactly(40, 190, 60);            // moved down 1 px
        assertThat(rgb(StreamQaGenerator.renderFrame(s, 3), 30 + 3, 10 + 1)).containsExactly(50, 80, 230); // 7's top bar
    }

    @Test
    void handBuiltSceneHasTheRightAnswers() {
        Map<Question.Family, List<Question>> q = Questions.all(handBuilt());
        assertThat(answer(q, "What colour was the square at 00:01?")).isEqualTo("red");
        assertThat(answer(q, "What colour was the digit at 00:04?")).isEqualTo("blue");
        assertThat(answer(q, "Which word was spoken at 00:06?")).isEqualTo("seven");
        assertThat(answer(q, "What was on screen when the word alice was spoken?")).isEqualTo("square");
        assertThat(answer(q, "What was on screen when the word seven was spoken?")).isEqualTo("circle");
        assertThat(answer(q, "Which colour appeared first?")).isEqualTo("red");
        assertThat(answer(q, "Which colour appeared last?")).isEqualTo("green");
        assertThat(answer(q, "Which appeared first, the blue digit or the green circle?")).isEqualTo("blue");
        assertThat(answer(q, "How many squares appeared?")).isEqualTo("one");
        assertThat(answer(q, "How many triangles appeared?")).isEqualTo("zero");
        assertThat(answer(q, "How many tones were heard?")).isEqualTo("one");
        assertThat(answer(q, "How many words were spoken?")).isEqualTo("two");
        assertThat(answer(q, "What is on screen now?")).isEqualTo("circle");
        assertThat(answer(q, "What colour is the circle now?")).isEqualTo("green");
        // at 00:02 both the square and the seven are on screen: each is asked about by its own kind
        assertThat(answer(q, "What colour was the square at 00:02?")).isEqualTo("red");
        assertThat(answer(q, "What colour was the digit at 00:02?")).isEqualTo("blue");
        // no question about a word spoken while two or no objects were on screen
        assertThat(q.get(Question.Family.CROSSMODAL)).hasSize(2);
    }

    @Test
    void evaluationQuestionsCoverEveryFamilyAndSpreadTheirDepths() {
        int[] depthCounts = new int[11];
        for (int i = 0; i < 50; i++) {
            Scene s = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(i), 16);
            List<Question> eval = Questions.evaluation(s, i);
            assertThat(eval.stream().map(Question::family).distinct().count()).isGreaterThanOrEqualTo(5);
            eval.stream().filter(q -> q.family() == Question.Family.RECALL)
                    .forEach(q -> depthCounts[q.depthBucket(16) / 10]++);
        }
        // 16 one-second frames cannot fill ten equal buckets evenly (the 80% bucket holds one second, and the
        // needle nearest 80% is at 81%), so ask for the ends and at least eight buckets
        assertThat(depthCounts[1]).as("needles at 10%").isGreaterThan(0);
        assertThat(depthCounts[10]).as("needles at 100%").isGreaterThan(0);
        assertThat(java.util.Arrays.stream(depthCounts).filter(c -> c > 0).count()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void badInputIsAClearError() {
        assertThatThrownBy(() -> StreamQaGenerator.plan(1, 3)).hasMessageContaining("at least 4 frames");
        assertThatThrownBy(() -> StreamQaGenerator.renderFrame(handBuilt(), 8)).hasMessageContaining("frame 8");
        assertThatThrownBy(() -> ClipBank.bundled().clip("banana")).hasMessageContaining("banana");
        assertThatThrownBy(() -> ClipBank.pcm16(new byte[]{1, 2, 3}, "x.wav")).hasMessageContaining("not a RIFF");
    }

    @Test
    void clipBankHoldsEveryWordAsShortSpeech() {
        for (String w : StreamQaSpec.WORDS) {
            short[] clip = ClipBank.bundled().clip(w);
            assertThat(clip.length).as(w).isBetween(StreamQaSpec.SAMPLE_RATE / 10, StreamQaSpec.SAMPLE_RATE);
            int peak = 0;
            for (short v : clip) {
                peak = Math.max(peak, Math.abs(v));
            }
            assertThat(peak).as(w + " is audible").isGreaterThan(3000);
        }
    }

    private static String answer(Map<Question.Family, List<Question>> q, String text) {
        return q.values().stream().flatMap(List::stream).filter(x -> x.text().equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no question '" + text + "' in " + q)).answer();
    }

    private static int[] rgb(byte[] frame, int x, int y) {
        int o = (y * StreamQaSpec.SIZE + x) * 3;
        return new int[]{frame[o] & 0xFF, frame[o + 1] & 0xFF, frame[o + 2] & 0xFF};
    }
}
