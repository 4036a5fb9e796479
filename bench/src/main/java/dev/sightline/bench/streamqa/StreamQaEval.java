package dev.sightline.bench.streamqa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.kv.DenseKvSequence;
import dev.sightline.model.Model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bench command: the full-cache accuracy of a StreamQA model in the Java engine over the fixed evaluation
 * streams, overall, per family and per needle depth, as JSON. The per-policy evaluation ({@code sightline eval})
 * will build on {@link StreamQaRunner} with other KV stores.
 *
 * <pre>java ... dev.sightline.bench.streamqa.StreamQaEval MODEL_DIR [STREAMS=20] [FRAMES=16] [OUT.json]</pre>
 */
public final class StreamQaEval {

    private StreamQaEval() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StreamQaEval MODEL_DIR [STREAMS=20] [FRAMES=16] [OUT.json]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        StreamQaGenerator generator = StreamQaGenerator.withBundledClips();
        List<StreamQaRunner.Answer> answers = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Model model = Model.load(dir)) {
            StreamQaRunner runner = new StreamQaRunner(model, dir);
            for (int i = 0; i < streams; i++) {
                Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(i), frames);
                answers.addAll(runner.answer(StreamQaRunner.frames(scene), generator.renderAudio(scene),
                        Questions.evaluation(scene, i), DenseKvSequence::new));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode out = summary(answers, frames);
        out.put("streams", streams);
        out.put("frames", frames);
        out.put("seconds", Math.round(seconds * 10) / 10.0);
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out);
        System.out.println(json);
        if (args.length > 3) {
            Files.writeString(Path.of(args[3]), json);
        }
    }

    /** Accuracy overall, per family and per depth bucket. */
    static ObjectNode summary(List<StreamQaRunner.Answer> answers, int frames) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("questions", answers.size());
        out.put("accuracy", StreamQaRunner.accuracy(answers));
        Map<String, List<StreamQaRunner.Answer>> byFamily = new TreeMap<>();
        Map<Integer, List<StreamQaRunner.Answer>> byDepth = new TreeMap<>();
        for (StreamQaRunner.Answer a : answers) {
            byFamily.computeIfAbsent(a.question().family().label(), k -> new ArrayList<>()).add(a);
            byDepth.computeIfAbsent(a.question().depthBucket(frames), k -> new ArrayList<>()).add(a);
        }
        ObjectNode fam = out.putObject("per_family");
        byFamily.forEach((k, v) -> fam.put(k, StreamQaRunner.accuracy(v)));
        ObjectNode depth = out.putObject("per_depth");
        byDepth.forEach((k, v) -> depth.put(k + "%", StreamQaRunner.accuracy(v)));
        return out;
    }
}
