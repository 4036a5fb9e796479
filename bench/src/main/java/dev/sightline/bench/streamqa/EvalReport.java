package dev.sightline.bench.streamqa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a run's outputs: {@code configs/<configuration>.json} (one summary per configuration),
 * {@code summary.json} (the run and every configuration), {@code results.md} and the PNG plots; and, when asked,
 * rewrites the generated section of a markdown document (between {@link #BEGIN} and {@link #END}) with the
 * results, its plots and summary copied into a folder named after the document next to it.
 */
public final class EvalReport {
    public static final String BEGIN = "<!-- sightline eval: begin (generated; edits here are overwritten) -->";
    public static final String END = "<!-- sightline eval: end -->";

    private EvalReport() {
    }

    /** Writes everything under the run's output folder (and its document); returns the markdown written. */
    public static String write(StreamQaEvaluation.Run run) throws IOException {
        Path out = run.options().out();
        Path configs = out.resolve("configs");
        Files.createDirectories(configs);
        deleteAll(configs, ".json");   // an earlier run's configurations would read as this run's
        deletePlots(out);   // only the plots this command writes, never other images in the folder
        ObjectMapper json = new ObjectMapper();
        ObjectWriter pretty = json.writerWithDefaultPrettyPrinter();
        ObjectNode summary = json.createObjectNode();
        summary.put("command", run.command());
        summary.put("date", java.time.Instant.now().toString());
        summary.put("machine", EvalTables.machine());
        summary.put("model", run.options().model().toString());
        summary.put("threads", run.options().threads());
        summary.put("seconds", EvalResult.round(run.seconds()));
        summary.put("peak_rss_bytes", EvalResult.peakRss());
        ObjectNode full = summary.putObject("full_cache_bytes");
        run.fullCacheBytes().forEach((k, v) -> full.put(k + "s", v));
        ObjectNode room = summary.putObject("room_over_budget_bytes");
        run.roomBytes().forEach((k, v) -> room.put(k + "s", v));
        ArrayNode all = summary.putArray("configurations");
        for (EvalResult r : run.results()) {
            ObjectNode o = r.toJson();
            pretty.writeValue(configs.resolve(r.config().slug() + ".json").toFile(), o);
            all.add(o);
        }
        pretty.writeValue(out.resolve("summary.json").toFile(), summary);
        List<String> plots = EvalPlots.write(run, out);
        String md = EvalTables.markdown(run, plots, "");
        Files.writeString(out.resolve("results.md"), md);
        if (run.options().doc() != null) {
            writeDoc(run, plots, out);
        }
        return md;
    }

    private static void writeDoc(StreamQaEvaluation.Run run, List<String> plots, Path out) throws IOException {
        Path doc = run.options().doc();
        checkDoc(doc);
        String text = Files.readString(doc);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String name = doc.getFileName().toString().replaceFirst("\\.md$", "");
        Path assets = doc.toAbsolutePath().getParent().resolve(name);
        Files.createDirectories(assets);
        if (!Files.isSameFile(assets, out)) {   // --out may be the document's own folder: then all is in place
            deletePlots(assets);
            for (String p : plots) {
                Files.copy(out.resolve(p), assets.resolve(p), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.copy(out.resolve("summary.json"), assets.resolve("summary.json"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        String md = EvalTables.markdown(run, plots, name + "/");
        Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + "\n\n" + md + "Every configuration's "
                + "JSON summary: [" + name + "/summary.json](" + name + "/summary.json).\n\n"
                + text.substring(end));
    }

    private static void deleteAll(Path dir, String suffix) throws IOException {
        deleteMatching(dir, name -> name.endsWith(suffix));
    }

    /** An earlier run's plots (named as {@link EvalPlots} names them) would read as this run's. */
    private static void deletePlots(Path dir) throws IOException {
        deleteMatching(dir, name -> name.endsWith(".png")
                && (name.startsWith("accuracy-vs-kv-") || name.startsWith("kv-vs-time-")));
    }

    private static void deleteMatching(Path dir, java.util.function.Predicate<String> name) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> name.test(f.getFileName().toString())).toList()) {
                Files.delete(f);
            }
        }
    }

    /** Validates up front that {@code doc} can take the results, so a long run does not fail at its end. */
    public static void checkDoc(Path doc) throws IOException {
        if (doc == null) {
            return;
        }
        if (!Files.isRegularFile(doc)) {
            throw new IllegalArgumentException("--doc: " + doc + " is not a file");
        }
        String text = Files.readString(doc);
        if (text.indexOf(BEGIN) < 0 || text.indexOf(END) < text.indexOf(BEGIN)) {
            throw new IllegalArgumentException("--doc: " + doc + " has no generated section; put the lines\n"
                    + BEGIN + "\n" + END + "\nwhere the results should go");
        }
    }
}
