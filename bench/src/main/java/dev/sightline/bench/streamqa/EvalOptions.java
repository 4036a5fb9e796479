package dev.sightline.bench.streamqa;

import dev.sightline.kv.PageFormat;
import dev.sightline.kv.Policies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one {@code sightline eval} run evaluates: the model, the streams (how many, how long), and the grid of
 * configurations (policies x budgets x page formats x tokenizer stages on/off), plus an optional second grid on
 * longer streams. Every check names the option that was wrong.
 *
 * @param model       the StreamQA checkpoint folder (Hugging Face layout)
 * @param streams     evaluation streams per configuration (streams 0..n-1 of the fixed evaluation seeds)
 * @param frames      stream length in seconds (one frame a second)
 * @param policies    kv-memory policy names, as {@link Policies#byName} reads them (wrappers included)
 * @param budgets     KV budgets: fractions of the full cache's bytes, or bytes
 * @param formats     KV page formats
 * @param stages      tokenizer stage settings to run: false = all off, true = the tokenizer's defaults
 * @param longStreams streams of the long grid (0: no long grid)
 * @param longFactor  the long grid's streams are this many times {@code frames} long
 * @param longFormats page formats of the long grid
 * @param longStages  stage settings of the long grid
 * @param threads     configurations run at once (each on its own thread and model copy)
 * @param jpegQuality the JPEG quality frames are encoded with, as ingest does (ingest's default is 85)
 * @param out         folder for the JSON, markdown and PNG outputs
 * @param doc         a markdown file whose generated section is rewritten with the results (null: none)
 */
public record EvalOptions(Path model, int streams, int frames, List<String> policies, List<EvalBudget> budgets,
                          List<PageFormat> formats, List<Boolean> stages, int longStreams, int longFactor,
                          List<PageFormat> longFormats, List<Boolean> longStages, int threads, int jpegQuality,
                          Path out, Path doc) {

    /** The budgets of the published table: 50%, 25%, 12%, 6% and 3% of the full cache's bytes. */
    public static final List<EvalBudget> DEFAULT_BUDGETS = List.of(EvalBudget.ofFraction(0.50),
            EvalBudget.ofFraction(0.25), EvalBudget.ofFraction(0.12), EvalBudget.ofFraction(0.06),
            EvalBudget.ofFraction(0.03));

    /** The formats of the published table: F16, Q8 and 4-bit (KIVI) pages. */
    public static final List<PageFormat> DEFAULT_FORMATS = List.of(PageFormat.F16, PageFormat.Q8, PageFormat.KIVI4);

    public EvalOptions {
        if (model == null) {
            throw new IllegalArgumentException("--model: a model folder is required");
        }
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new IllegalArgumentException("--model: " + model + " has no config.json (expected the StreamQA "
                    + "checkpoint folder, e.g. training/streamqa/model)");
        }
        if (streams < 1) {
            throw new IllegalArgumentException("--streams must be at least 1, got " + streams);
        }
        if (frames < 2) {
            throw new IllegalArgumentException("--frames (stream length in seconds) must be at least 2, got " + frames);
        }
        policies = List.copyOf(policies);
        budgets = List.copyOf(budgets);
        formats = List.copyOf(formats);
        stages = List.copyOf(new LinkedHashSet<>(stages));
        longFormats = List.copyOf(longFormats);
        longStages = List.copyOf(new LinkedHashSet<>(longStages));
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("--policies: give at least one policy; known: " + knownPolicies());
        }
        for (String p : policies) {
            checkPolicy(p);
        }
        if (budgets.isEmpty()) {
            throw new IllegalArgumentException("--budgets: give at least one budget (25% or 0.25 or 256KiB)");
        }
        if (formats.isEmpty() || stages.isEmpty()) {
            throw new IllegalArgumentException((formats.isEmpty() ? "--formats" : "--stages")
                    + ": give at least one value");
        }
        if (longStreams < 0) {
            throw new IllegalArgumentException("--long-streams must be >= 0, got " + longStreams);
        }
        if (longFactor < 2) {
            throw new IllegalArgumentException("--long-factor must be at least 2, got " + longFactor);
        }
        if (longStreams > 0 && (longFormats.isEmpty() || longStages.isEmpty())) {
            throw new IllegalArgumentException("--long-formats and --long-stages need at least one value");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("--jpeg-quality must be 1..100, got " + jpegQuality);
        }
        if (out == null) {
            throw new IllegalArgumentException("--out: an output folder is required");
        }
    }

    /**
     * The policies evaluated by default: every base policy kv-memory knows that evicts, and each wrapper around
     * SnapKV (the scoring each wrapper's paper builds on). The full cache is always run as the reference.
     */
    public static List<String> defaultPolicies() {
        List<String> out = new ArrayList<>();
        for (String p : Policies.NAMES) {
            if (!p.equals("full")) {
                out.add(p);
            }
        }
        for (String w : Policies.WRAPPERS) {
            out.add(w + ":snapkv");
        }
        return out;
    }

    /** Parses a comma-separated list of policies: {@code all} (the defaults) or names. */
    public static List<String> parsePolicies(String csv) {
        List<String> out = new ArrayList<>();
        for (String p : split(csv, "--policies")) {
            if (p.equals("all")) {
                out.addAll(defaultPolicies());
            } else {
                checkPolicy(p);
                out.add(p.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    public static List<EvalBudget> parseBudgets(String csv) {
        Set<EvalBudget> out = new LinkedHashSet<>();   // 25% and 0.25 are one budget, run once
        for (String b : split(csv, "--budgets")) {
            try {
                out.add(EvalBudget.parse(b));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--budgets: " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    public static List<PageFormat> parseFormats(String csv, String option) {
        List<PageFormat> out = new ArrayList<>();
        for (String f : split(csv, option)) {
            try {
                out.add(f.equals("4bit") ? PageFormat.KIVI4 : PageFormat.byName(f));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /** {@code off}, {@code on}, or {@code both} (off then on). */
    public static List<Boolean> parseStages(String text, String option) {
        return switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "off" -> List.of(false);
            case "on" -> List.of(true);
            case "both", "off,on", "on,off" -> List.of(false, true);
            default -> throw new IllegalArgumentException(option + ": expected off, on or both, got '" + text + "'");
        };
    }

    private static void checkPolicy(String p) {
        try {
            Policies.byName(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--policies: " + e.getMessage(), e);
        }
        if (p.strip().equalsIgnoreCase("full")) {
            throw new IllegalArgumentException("--policies: 'full' is the reference row, always run; list only "
                    + "policies that compress");
        }
    }

    private static List<String> knownPolicies() {
        return defaultPolicies();
    }

    private static List<String> split(String csv, String option) {
        List<String> out = new ArrayList<>();
        if (csv != null) {
            for (String s : csv.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(option + ": empty list");
        }
        return out;
    }
}
