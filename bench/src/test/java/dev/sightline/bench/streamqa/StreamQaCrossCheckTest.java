package dev.sightline.bench.streamqa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java generator against the Python port (training/streamqa/write_fixture.py wrote the committed fixture):
 * the same seeds must give the same plan, bit-identical frames and audio, and the same questions and answers.
 */
class StreamQaCrossCheckTest {

    private static final StreamQaGenerator GENERATOR = StreamQaGenerator.withBundledClips();

    @Test
    void javaAndPythonGeneratorsAgreeOnEverySeedOfTheFixture() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/streamqa/crosscheck.json")) {
            assertThat(in).as("crosscheck fixture").isNotNull();
            root = new ObjectMapper().readTree(in);
        }
        JsonNode streams = root.get("streams");
        assertThat(streams.size()).isGreaterThanOrEqualTo(6);
        for (JsonNode s : streams) {
            long seed = s.get("seed").asLong();
            int frames = s.get("frames").asInt();
            String where = "seed " + seed + " frames " + frames;
            Scene scene = StreamQaGenerator.plan(seed, frames);
            assertThat(planString(scene)).as(where + " plan").isEqualTo(s.get("plan").asText());
            assertThat(sha256(StreamQaGenerator.renderFrame(scene, 0))).as(where + " frame 0")
                    .isEqualTo(s.get("frame0_sha256").asText());
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            for (int f = 0; f < frames; f++) {
                all.update(StreamQaGenerator.renderFrame(scene, f));
            }
            assertThat(HexFormat.of().formatHex(all.digest())).as(where + " frames")
                    .isEqualTo(s.get("frames_sha256").asText());
            short[] pcm = GENERATOR.renderAudio(scene);
            ByteBuffer b = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.asShortBuffer().put(pcm);
            assertThat(sha256(b.array())).as(where + " audio").isEqualTo(s.get("audio_sha256").asText());
            List<String> questions = new ArrayList<>();
            Questions.all(scene).values().forEach(list -> list.forEach(q -> questions.add(q.fixtureLine())));
            assertThat(questions).as(where + " questions").containsExactlyElementsOf(lines(s.get("questions")));
            if (s.has("evaluation")) {
                List<String> eval = Questions.evaluation(scene, s.get("index").asInt()).stream()
                        .map(Question::fixtureLine).toList();
                assertThat(eval).as(where + " evaluation questions").containsExactlyElementsOf(lines(s.get("evaluation")));
            }
        }
    }

    static String planString(Scene sc) {
        StringBuilder s = new StringBuilder("bg=" + sc.background() + ";");
        for (Scene.SceneObject o : sc.objects()) {
            s.append("o").append(o.id()).append(':').append(o.kind()).append(',').append(o.digit()).append(',')
                    .append(o.colour()).append(',').append(o.start()).append(',').append(o.end()).append(',')
                    .append(o.x0()).append(',').append(o.y0()).append(',').append(o.vx()).append(',').append(o.vy())
                    .append(';');
        }
        for (Scene.Sound x : sc.sounds()) {
            s.append("s:").append(x.second()).append(',').append(x.isWord() ? 1 : 0).append(',').append(x.word())
                    .append(',').append(x.tone()).append(';');
        }
        return s.toString();
    }

    private static List<String> lines(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
