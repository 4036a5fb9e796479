package dev.sightline.bench.streamqa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.kv.DenseKvSequence;
import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.model.Model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A bench command: the full-cache accuracy of a StreamQA model in the Java engine over the fixed evaluation
 * streams, overall, per family and per needle depth, as JSON. The per-policy evaluation ({@code sightline eval})
 * will build on {@link StreamQaRunner} with other KV stores.
 *
 * <pre>java ... dev.sightline.bench.streamqa.StreamQaEval MODEL_DIR [STREAMS=20] [FRAMES=16] [OUT.json] [POLICY KEEP]</pre>
 *
 * <p>With {@code POLICY KEEP} (a kv-memory policy name and a fraction of the stream's tokens, e.g.
 * {@code snapkv 0.25}) the stream goes into a paged F16 store whose watermarks sit at KEEP and 0.8 KEEP of the
 * stream's tokens, instead of the full cache.
 */
public final class StreamQaEval {

    private StreamQaEval() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StreamQaEval MODEL_DIR [STREAMS=20] [FRAMES=16] [OUT.json] [POLICY KEEP]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        String policy = args.length > 5 ? args[4] : "dense";
        double keep = args.length > 5 ? Double.parseDouble(args[5]) : 1.0;
        StreamQaGenerator generator = StreamQaGenerator.withBundledClips();
        List<StreamQaRunner.Answer> answers = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Model model = Model.load(dir); KvPool pool = KvPool.allocate(64L << 20, 2048)) {
            StreamQaRunner runner = new StreamQaRunner(model, dir);
            int streamTokens = model.tokenizer().orElseThrow().encode(StreamQaPrompt.stream(frames)).length;
            Function<KvGeometry, KvSequence> store = policy.equals("dense") ? DenseKvSequence::new
                    : g -> PagedKvSequence.open(pool, g, KvMemoryConfig.builder(32L << 20).format(PageFormat.F16)
                    .policy(policy).dialogueTokens(32)
                    .watermarkTokens((int) (keep * streamTokens), (int) (0.8 * keep * streamTokens)).build());
            for (int i = 0; i < streams; i++) {
                Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(i), frames);
                answers.addAll(runner.answer(StreamQaRunner.frames(scene), generator.renderAudio(scene),
                        Questions.evaluation(scene, i), store));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode out = summary(answers, frames);
        out.put("policy", policy);
        out.put("keep", keep);
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
