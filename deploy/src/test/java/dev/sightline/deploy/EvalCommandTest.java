package dev.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.bench.streamqa.EvalReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sightline eval} as a user runs it: a few short evaluation streams with the trained StreamQA checkpoint,
 * two policies at half the full cache's bytes in F16 and Q8 pages, stages off, plus two 4x-longer streams; it must
 * write valid JSON, markdown and PNG, rewrite a document's generated section, and answer far above chance, so a
 * regression anywhere on the path (ingest's frame encoding, the tokenizer, kv-memory, the decoder) shows. Bad
 * options fail with exit code 2 and a message naming the option.
 */
class EvalCommandTest {
    static final Path MODEL = Path.of("..", "training", "streamqa", "model");

    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        CommandLine cli = SightlineCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void evaluatesTwoPoliciesAndWritesJsonMarkdownAndPlots() throws Exception {
        Path out = dir.resolve("eval");
        Path doc = Files.writeString(dir.resolve("report.md"), "# Report\n\nbefore\n\n" + EvalReport.BEGIN
                + "\nold results\n" + EvalReport.END + "\n\nafter\n");
        // the document's folder holds an image of someone else's and a plot from an earlier run
        Path assets = Files.createDirectories(dir.resolve("report"));
        Path theirs = Files.write(assets.resolve("diagram.png"), new byte[] {1, 2, 3});
        Path stale = Files.write(assets.resolve("kv-vs-time-999s-1pct.png"), new byte[] {1, 2, 3});
        StringWriter err = new StringWriter();
        int rc = run(err, "eval", "--model", MODEL.toString(), "--streams", "4", "--frames", "16",
                "--policies", "snapkv,streaming-llm", "--budgets", "50%,3%", "--formats", "f16,q8",
                "--stages", "off", "--long-streams", "2", "--threads", "2", "--out", out.toString(),
                "--doc", doc.toString());
        assertThat(rc).as(err.toString()).isZero();

        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("command").asText()).startsWith("./sightline eval --model");
        long full = summary.get("full_cache_bytes").get("16s").asLong();
        assertThat(full).as("the F16 full cache of 16 s: 451 tokens x 24 heads (6 layers x 4) x 128 bytes and more")
                .isGreaterThan(451L * 24 * 128);
        assertThat(summary.get("full_cache_bytes").get("64s").asLong()).isGreaterThan(3 * full);
        List<JsonNode> configs = new ArrayList<>();
        summary.get("configurations").forEach(configs::add);
        // 16 s: no stream, dense, full f16 and q8, then 2 policies x 2 budgets x 2 formats; 64 s: no stream and
        // full f16 (no dense store at 64 s), then 2 policies x 2 budgets
        assertThat(configs).hasSize(4 + 8 + 2 + 4);
        try (Stream<Path> files = Files.list(out.resolve("configs"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".json")).count()).isEqualTo(configs.size());
        }

        JsonNode dense = find(configs, "dense", null, "f32", 16);
        assertThat(dense.get("questions").asInt()).isBetween(20, 24);   // up to one per family per stream
        // chance is 1 in 8 for a colour and lower for the other families
        assertThat(dense.get("accuracy").asDouble()).as("full cache").isGreaterThan(0.5);
        double floor = find(configs, "no-stream", null, "f32", 16).get("accuracy").asDouble();
        assertThat(dense.get("accuracy").asDouble()).as("far above the questions alone").isGreaterThan(floor + 0.2);
        assertThat(dense.get("per_family").size()).isEqualTo(6);
        assertThat(dense.get("per_depth").size()).isGreaterThan(3);
        for (String policy : new String[] {"snapkv", "streaming-llm"}) {
            for (String format : new String[] {"f16", "q8"}) {
                JsonNode c = find(configs, policy, "50%", format, 16);
                assertThat(c.get("refused_streams").asInt()).isZero();
                assertThat(c.get("accuracy").asDouble()).as(policy + " " + format + " at 50%").isGreaterThan(0.25);
                long budget = c.get("budget_bytes").asLong();
                assertThat(budget).isEqualTo(Math.round(0.5 * full));
                assertThat(c.get("kv").get("peak_bytes").asLong()).as("never above the session's limit")
                        .isLessThanOrEqualTo(c.get("session_limit_bytes").asLong()).isGreaterThan(budget / 2);
                assertThat(c.get("kv").get("bytes_after_stream_mean").asDouble()).as("the memory within its budget")
                        .isLessThanOrEqualTo(budget);
                assertThat(c.get("kv").get("compressions_mean").asDouble()).isGreaterThan(0);
                assertThat(c.get("kv").get("bytes_by_second_mean")).hasSize(16);
                assertThat(c.get("latency_ms").get("answer_first_token_p50").asDouble()).isPositive();
            }
            // the same bytes hold more tokens in Q8 pages than in F16
            assertThat(find(configs, policy, "50%", "q8", 16).get("kv").get("tokens_per_head_mean").asDouble())
                    .isGreaterThan(find(configs, policy, "50%", "f16", 16).get("kv").get("tokens_per_head_mean")
                            .asDouble());
            // 3% of a 16 s stream is less than one second of it: the memory is squeezed between batches
            JsonNode tiny = find(configs, policy, "3%", "f16", 16);
            if (!tiny.has("not_run")) {
                assertThat(tiny.get("kv").get("peak_bytes").asLong())
                        .isLessThanOrEqualTo(tiny.get("session_limit_bytes").asLong());
            }
            assertThat(find(configs, policy, "50%", "f16", 64).get("accuracy").asDouble()).isGreaterThan(0.0);
        }

        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("### Training-length streams (16 s)", "### 4x longer streams (64 s)",
                "| snapkv |", "| streaming-llm |", "Best combination at each budget");
        try (Stream<Path> files = Files.list(out)) {
            List<Path> pngs = files.filter(f -> f.toString().endsWith(".png")).toList();
            assertThat(pngs).hasSize(2 + 1 + 1 + 1);   // accuracy per length x format, memory per length
            for (Path png : pngs) {
                BufferedImage img = ImageIO.read(png.toFile());
                assertThat(img).as(png.toString()).isNotNull();
                assertThat(img.getWidth()).isGreaterThan(400);
            }
        }
        String report = Files.readString(doc);
        assertThat(report).startsWith("# Report\n\nbefore\n\n" + EvalReport.BEGIN).endsWith(EvalReport.END
                + "\n\nafter\n").doesNotContain("old results").contains("Best combination at each budget",
                "](report/accuracy-vs-kv-16s-stages-off-f16.png)");
        assertThat(dir.resolve("report").resolve("accuracy-vs-kv-16s-stages-off-f16.png")).isNotEmptyFile();
        assertThat(dir.resolve("report").resolve("summary.json")).isNotEmptyFile();
        assertThat(theirs).as("only the plots the command writes are replaced").exists();
        assertThat(stale).as("an earlier run's plot would read as this run's").doesNotExist();
    }

    @Test
    void stagesOnAloneStillComparesWithTheStagesOffFullCache() throws Exception {
        Path out = dir.resolve("eval-on");
        StringWriter err = new StringWriter();
        int rc = run(err, "eval", "--model", MODEL.toString(), "--streams", "2", "--frames", "16",
                "--policies", "streaming-llm", "--budgets", "50%", "--formats", "f16", "--stages", "on",
                "--threads", "2", "--out", out.toString());
        assertThat(rc).as(err.toString()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        List<JsonNode> configs = new ArrayList<>();
        summary.get("configurations").forEach(configs::add);
        // the budgets are fractions of the stages-off F16 full cache, so it is reported beside the stages-on runs
        assertThat(configs).anyMatch(c -> c.get("policy").asText().equals("full")
                && c.get("stages").asText().equals("off"));
        assertThat(Files.readString(out.resolve("results.md"))).contains("| streaming-llm |");
    }

    private static JsonNode find(List<JsonNode> configs, String policy, String budget, String format, int frames) {
        return configs.stream().filter(c -> c.get("policy").asText().equals(policy)
                        && (budget == null ? c.get("budget").isNull() : budget.equals(c.get("budget").asText()))
                        && c.get("format").asText().equals(format) && c.get("frames").asInt() == frames)
                .findFirst().orElseThrow(() -> new AssertionError("no " + policy + " " + budget + " " + format));
    }

    @Test
    void badOptionsFailNamingTheOption() {
        String[][] cases = {
                {"--policies", "snapkv,bogus", "--policies: unknown KV policy 'bogus'"},
                {"--budgets", "0%", "--budgets: "},
                {"--budgets", "1.5", "--budgets: "},
                {"--budgets", "-4096", "--budgets: "},
                {"--formats", "f8", "--formats: unknown KV page format 'f8'"},
                {"--stages", "maybe", "--stages: "},
                {"--streams", "0", "--streams must be at least 1"},
        };
        for (String[] c : cases) {
            StringWriter err = new StringWriter();
            int rc = run(err, "eval", "--model", MODEL.toString(), c[0], c[1], "--out", "unused");
            assertThat(rc).as(String.join(" ", c)).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", c)).startsWith("sightline eval: ")
                    .contains(c[2]);
        }
        StringWriter err = new StringWriter();
        assertThat(run(err, "eval", "--model", "no-such-model")).isEqualTo(2);
        assertThat(err.toString()).contains("--model").contains("no-such-model");
    }

    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cli = SightlineCli.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("eval", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: sightline eval", "--policies", "--budgets", "--formats",
                "--stages", "--streams", "--frames", "--long-streams", "--doc");
    }
}
