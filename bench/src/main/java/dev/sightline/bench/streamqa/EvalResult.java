package dev.sightline.bench.streamqa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One configuration's figures over its streams: accuracy overall, per family and per needle depth; KV bytes (peak,
 * after the stream, per second of stream time); tokens in and kept; the tokenizer's tokens; latencies.
 *
 * @param config          what was run
 * @param streams         streams run
 * @param budgetBytes     the memory's budget in bytes (0 for the unbounded references)
 * @param roomBytes       the room on top of the budget for a question or a second of stream (the session's limit is
 *                        the sum)
 * @param fullCacheBytes  the F16 full cache's bytes for this stream length (what fractions refer to)
 * @param answers         every question's outcome (refused streams' questions count as wrong)
 * @param refusedStreams  streams whose memory refused a batch for the budget
 * @param refusedQuestions questions the budget had no room for once the stream was in (counted wrong)
 * @param refusal         the first refusal's message
 * @param notRun          why the configuration could not run at all (its budget cannot hold the memory's
 *                        minimum), else null
 * @param peakBytes       the most bytes the store held, questions included, over all streams
 * @param bytesAfterStream mean bytes held once the stream was in
 * @param timeline        mean bytes held at each second of stream time
 * @param tokensIn        mean tokens prefilled per stream (text, video, audio)
 * @param tokensKept      mean distinct tokens still held once the stream was in, over the streams not refused
 * @param tokensPerHead   mean tokens per KV head once the stream was in
 * @param compressions    mean compression passes per stream
 * @param sourceTokens    mean video+audio tokens from the towers per stream
 * @param stageTokens     mean video+audio tokens after the tokenizer's stages per stream
 * @param prefillNanos    every batch's prefill time
 * @param answerNanos     every question's time to its first answer token
 * @param seconds         wall time of the configuration
 * @param peakRssBytes    the process's peak resident set when it finished (shared by the configurations that ran
 *                        in the same JVM; -1 where /proc is missing)
 */
public record EvalResult(EvalConfig config, int streams, long budgetBytes, long roomBytes,
                         long fullCacheBytes,
                         List<StreamQaRunner.Answer> answers, int refusedStreams, int refusedQuestions, String refusal,
                         String notRun,
                         long peakBytes, double bytesAfterStream, double[] timeline, double tokensIn, double tokensKept,
                         double tokensPerHead, double compressions, double sourceTokens, double stageTokens,
                         long[] prefillNanos, long[] answerNanos, double seconds, long peakRssBytes) {

    /** Aggregates the outcomes of the configuration's streams. */
    static EvalResult of(EvalConfig config, long budgetBytes, long room, long fullCacheBytes, List<EvalStream> streams,
                         List<EvalSession.Outcome> outcomes, double seconds) {
        List<StreamQaRunner.Answer> answers = new ArrayList<>();
        int refused = 0;
        int refusedQuestions = 0;
        String refusal = null;
        long peak = 0;
        double after = 0;
        double[] timeline = new double[config.frames()];
        double in = 0;
        double kept = 0;
        double perHead = 0;
        double comp = 0;
        double source = 0;
        double staged = 0;
        List<long[]> prefill = new ArrayList<>();
        List<long[]> answer = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            EvalSession.Outcome o = outcomes.get(i);
            answers.addAll(o.answers());
            refusedQuestions += o.questionsRefused();
            if (o.refused()) {
                refused++;
                refusal = refusal == null ? o.refusal() : refusal;
            }
            peak = Math.max(peak, o.peakBytes());
            after += o.bytesAfterStream();
            for (int s = 0; s < timeline.length; s++) {
                timeline[s] += o.bytesPerSecond()[s];
            }
            in += o.tokensIn();
            if (!o.refused()) {   // a refused stream kept nothing it can report: leave it out of the means
                kept += o.tokensKept();
                perHead += o.meanTokensPerHead();
            }
            comp += o.compressions();
            source += streams.get(i).sourceTokens();
            staged += streams.get(i).keptTokens();
            prefill.add(o.prefillNanos());
            answer.add(o.answerNanos());
        }
        int n = Math.max(1, outcomes.size());
        int fitted = Math.max(1, outcomes.size() - refused);
        for (int s = 0; s < timeline.length; s++) {
            timeline[s] /= n;
        }
        return new EvalResult(config, outcomes.size(), budgetBytes, room, fullCacheBytes, List.copyOf(answers), refused,
                refusedQuestions, refusal, null, peak, after / n, timeline, in / n, kept / fitted, perHead / fitted,
                comp / n,
                source / n, staged / n, concat(prefill), concat(answer), seconds, peakRss());
    }

    /** A configuration whose budget cannot hold even the memory's minimum: nothing ran. */
    static EvalResult notRun(EvalConfig config, long budgetBytes, long room, long fullCacheBytes, String why) {
        return new EvalResult(config, 0, budgetBytes, room, fullCacheBytes, List.of(), 0, 0, null, why, 0, 0,
                new double[config.frames()], 0, 0, 0, 0, 0, 0, new long[0], new long[0], 0, peakRss());
    }

    public boolean ran() {
        return notRun == null;
    }

    /** Whether every stream fitted its budget (nothing refused). */
    public boolean fitted() {
        return ran() && refusedStreams == 0;
    }

    public double accuracy() {
        return StreamQaRunner.accuracy(answers);
    }

    public long correct() {
        return answers.stream().filter(StreamQaRunner.Answer::correct).count();
    }

    public Map<String, Double> perFamily() {
        Map<String, List<StreamQaRunner.Answer>> by = new TreeMap<>();
        for (StreamQaRunner.Answer a : answers) {
            by.computeIfAbsent(a.question().family().label(), k -> new ArrayList<>()).add(a);
        }
        Map<String, Double> out = new TreeMap<>();
        by.forEach((k, v) -> out.put(k, StreamQaRunner.accuracy(v)));
        return out;
    }

    public Map<Integer, Double> perDepth() {
        Map<Integer, List<StreamQaRunner.Answer>> by = new TreeMap<>();
        for (StreamQaRunner.Answer a : answers) {
            by.computeIfAbsent(a.question().depthBucket(config.frames()), k -> new ArrayList<>()).add(a);
        }
        Map<Integer, Double> out = new TreeMap<>();
        by.forEach((k, v) -> out.put(k, StreamQaRunner.accuracy(v)));
        return out;
    }

    /** The JSON summary of this configuration. */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("policy", config.policy());
        o.put("format", config.formatLabel());
        o.put("stages", config.stages() ? "on" : "off");
        o.put("frames", config.frames());
        if (config.budget() == null) {
            o.putNull("budget");
        } else {
            o.put("budget", config.budget().label());
        }
        o.put("budget_bytes", budgetBytes);
        if (budgetBytes > 0) {
            o.put("session_limit_bytes", budgetBytes + roomBytes);
        }
        o.put("full_cache_bytes", fullCacheBytes);
        o.put("streams", streams);
        o.put("questions", answers.size());
        if (!ran()) {
            o.put("not_run", notRun);
            return o;
        }
        o.put("correct", correct());
        o.put("accuracy", round(accuracy()));
        ObjectNode fam = o.putObject("per_family");
        perFamily().forEach((k, v) -> fam.put(k, round(v)));
        ObjectNode depth = o.putObject("per_depth");
        perDepth().forEach((k, v) -> depth.put(k + "%", round(v)));
        o.put("refused_streams", refusedStreams);
        o.put("refused_questions", refusedQuestions);
        if (refusal != null) {
            o.put("first_refusal", refusal);
        }
        ObjectNode kv = o.putObject("kv");
        kv.put("peak_bytes", peakBytes);
        kv.put("peak_fraction_of_full_cache", fullCacheBytes > 0 ? round((double) peakBytes / fullCacheBytes) : 0);
        kv.put("bytes_after_stream_mean", Math.round(bytesAfterStream));
        kv.put("tokens_in_mean", round(tokensIn));
        kv.put("tokens_kept_mean", round(tokensKept));
        kv.put("tokens_per_head_mean", round(tokensPerHead));
        kv.put("compressions_mean", round(compressions));
        ArrayNode tl = kv.putArray("bytes_by_second_mean");
        for (double b : timeline) {
            tl.add(Math.round(b));
        }
        ObjectNode tok = o.putObject("tokenizer");
        tok.put("tower_tokens_mean", round(sourceTokens));
        tok.put("tokens_after_stages_mean", round(stageTokens));
        ObjectNode lat = o.putObject("latency_ms");
        lat.put("prefill_batch_p50", percentileMs(prefillNanos, 0.5));
        lat.put("prefill_batch_p95", percentileMs(prefillNanos, 0.95));
        lat.put("answer_first_token_p50", percentileMs(answerNanos, 0.5));
        lat.put("answer_first_token_p95", percentileMs(answerNanos, 0.95));
        o.put("peak_rss_bytes", peakRssBytes);
        o.put("seconds", round(seconds));
        return o;
    }

    static double percentileMs(long[] nanos, double q) {
        if (nanos.length == 0) {
            return 0;
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
        return Math.round(s[i] / 1e4) / 100.0;
    }

    static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private static long[] concat(List<long[]> parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] out = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The process's peak resident set (VmHWM), or -1 where /proc is not there. */
    static long peakRss() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
