package dev.sightline.deploy;

import dev.sightline.bench.streamqa.EvalOptions;
import dev.sightline.bench.streamqa.EvalReport;
import dev.sightline.bench.streamqa.StreamQaEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sightline eval}: the StreamQA evaluation (bench's {@link StreamQaEvaluation}) over a grid of kv-memory
 * policies, budgets, page formats and tokenizer stage settings, with JSON, markdown and PNG outputs.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate StreamQA streams through the deployed path (ingest's JPEG frames, the tokenizer's "
                + "stages, a kv-memory store, the decoder) for every policy x budget x page format x stage setting, "
                + "against the full cache.",
                "Writes OUT/configs/*.json (one summary per configuration), OUT/summary.json, OUT/results.md and PNG "
                        + "plots; with --doc, rewrites that markdown file's generated section."})
public final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", defaultValue = ModelFolders.DEFAULT_MODEL,
            description = "StreamQA checkpoint folder (default: ${DEFAULT-VALUE}, from the working folder or the "
                    + "Sightline checkout).")
    Path model;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "30",
            description = "Evaluation streams per configuration: the fixed evaluation seeds 0..N-1, six questions each "
                    + "(default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--frames", paramLabel = "SECONDS", defaultValue = "16",
            description = "Stream length in seconds, one frame a second (default: ${DEFAULT-VALUE}, the training "
                    + "length).")
    int frames;

    @Option(names = "--policies", paramLabel = "LIST", defaultValue = "all",
            description = "Comma-separated kv-memory policies, wrappers included (adakv:snapkv, pyramidkv:h2o, "
                    + "chunkkv:knorm), or 'all': every base policy that evicts plus adakv:, pyramidkv: and chunkkv: "
                    + "around snapkv (default: ${DEFAULT-VALUE}). The full cache always runs as the reference.")
    String policies;

    @Option(names = "--budgets", paramLabel = "LIST", defaultValue = "50%,25%,12%,6%,3%",
            description = "Comma-separated KV budgets: fractions of the F16 full cache's bytes for the stream length "
                    + "(25%% or 0.25) or bytes (262144, 256KiB) (default: 50%%,25%%,12%%,6%%,3%%).")
    String budgets;

    @Option(names = "--formats", paramLabel = "LIST", defaultValue = "f16,q8,kivi4",
            description = "Comma-separated page formats: f16, q8, kivi4 (4-bit), kivi2 (default: ${DEFAULT-VALUE}).")
    String formats;

    @Option(names = "--stages", paramLabel = "off|on|both", defaultValue = "both",
            description = "Tokenizer reduction stages off, on (the tokenizer's defaults) or both (default: "
                    + "${DEFAULT-VALUE}).")
    String stages;

    @Option(names = "--long-streams", paramLabel = "N", defaultValue = "0",
            description = "Also evaluate N streams --long-factor times longer (0: no long grid; default: "
                    + "${DEFAULT-VALUE}).")
    int longStreams;

    @Option(names = "--long-factor", paramLabel = "K", defaultValue = "4",
            description = "How many times longer the long streams are (default: ${DEFAULT-VALUE}).")
    int longFactor;

    @Option(names = "--long-formats", paramLabel = "LIST", defaultValue = "f16",
            description = "Page formats of the long grid (default: ${DEFAULT-VALUE}).")
    String longFormats;

    @Option(names = "--long-stages", paramLabel = "off|on|both", defaultValue = "off",
            description = "Tokenizer stages of the long grid (default: ${DEFAULT-VALUE}).")
    String longStages;

    @Option(names = "--threads", paramLabel = "N",
            description = "Configurations evaluated at once, each on its own thread (default: the cores).")
    Integer threads;

    @Option(names = "--jpeg-quality", paramLabel = "Q", defaultValue = "85",
            description = "JPEG quality of the frames, as ingest encodes them (default: ${DEFAULT-VALUE}, ingest's).")
    int jpegQuality;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/streamqa-eval",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--doc", paramLabel = "FILE",
            description = "A markdown file whose generated section (between the sightline eval begin/end markers) "
                    + "is rewritten with the results; its plots and summary go to a folder named after it.")
    Path doc;

    @Override
    public Integer call() throws IOException {
        // as given when it is there (the outputs then name it as typed); not found: EvalOptions says what is missing
        Path located = Files.isRegularFile(model.resolve("config.json")) ? model : ModelFolders.locate(model);
        EvalOptions options = new EvalOptions(located != null ? located : model, streams, frames,
                EvalOptions.parsePolicies(policies), EvalOptions.parseBudgets(budgets),
                EvalOptions.parseFormats(formats, "--formats"), EvalOptions.parseStages(stages, "--stages"),
                longStreams, longFactor, EvalOptions.parseFormats(longFormats, "--long-formats"),
                EvalOptions.parseStages(longStages, "--long-stages"),
                threads == null ? Runtime.getRuntime().availableProcessors() : threads, jpegQuality, out, doc);
        EvalReport.checkDoc(doc);
        StreamQaEvaluation.Run run = StreamQaEvaluation.run(options, commandLine(), System.err);
        EvalReport.write(run);
        System.out.printf("sightline eval: %d configurations in %.1f min; results in %s%s%n", run.results().size(),
                run.seconds() / 60, out.resolve("results.md"), doc == null ? "" : " and " + doc);
        return 0;
    }

    /** The command as typed (options in the order given), for the outputs to say how they were made. */
    private String commandLine() {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!args.isEmpty() && args.getFirst().equals("eval")) {
            args.removeFirst();   // the parse result holds the whole command line, subcommand included
        }
        args.addAll(0, List.of("./sightline", "eval"));
        return String.join(" ", args);
    }
}
