package dev.sightline.deploy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import dev.sightline.protocol.Answer;
import dev.sightline.runtime.SessionStatus;
import dev.sightline.runtime.StreamingRuntime;
import dev.sightline.ingest.StreamStats;

/**
 * What the demo's steps share: the inputs (configuration, clip spec, working folder) and what each step produced.
 * Resources a step opens are registered with {@link #closeLater} and closed, newest first, when the demo ends.
 */
final class DemoContext implements AutoCloseable {

    final SightlineConfig config;
    /** Which StreamQA evaluation scene the demo plays, and for how many seconds. */
    final int sceneIndex;
    final int seconds;
    final Path workDir;
    final String streamId;
    final PrintStream out;
    /** How long the ingest step may take before the demo gives up. */
    final Duration ingestTimeout;

    KafkaConnection kafka;
    DemoClip clip;
    StreamStats ingestStats;
    Map<String, Long> counts;
    TokenizerApp tokenizer;
    StreamingRuntime runtime;
    /** The questions asked, in order, and the answer each got (filled by the answers step). */
    final List<DemoQuestions.Asked> asked = new ArrayList<>();
    final Map<String, List<Answer>> answers = new java.util.LinkedHashMap<>();
    /** Problems found by the steps' own checks; the demo fails if any. */
    final List<String> failures = new ArrayList<>();

    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    DemoContext(SightlineConfig config, int sceneIndex, int seconds, Path workDir, String streamId, PrintStream out,
                Duration ingestTimeout) {
        this.config = config;
        this.sceneIndex = sceneIndex;
        this.seconds = seconds;
        this.workDir = workDir;
        this.streamId = streamId;
        this.out = out;
        this.ingestTimeout = ingestTimeout;
    }

    /** The sampling rate the demo's stream is ingested at. */
    double streamSourceFps() {
        return config.get(Settings.INGEST_FPS);
    }

    Duration audioChunk() {
        return config.get(Settings.INGEST_AUDIO_CHUNK);
    }

    /** This demo stream's session in the runtime, if it has one yet. */
    java.util.Optional<SessionStatus> session() {
        return runtime == null ? java.util.Optional.empty()
                : runtime.sessions().stream().filter(s -> s.streamId().equals(streamId)).findFirst();
    }

    /**
     * How many of the questions with a known answer got it right, as a sentence starting with a space, or nothing
     * when none has a known answer.
     */
    String scoreLine() {
        long known = asked.stream().filter(a -> a.expected() != null && answers.getOrDefault(a.queryId(),
                List.of()).size() == 1).count();
        if (known == 0) {
            return "";
        }
        long right = asked.stream().filter(a -> a.expected() != null).filter(a -> {
            List<Answer> got = answers.getOrDefault(a.queryId(), List.of());
            return got.size() == 1 && DemoQuestions.isRight(got.getFirst(), a.expected());
        }).count();
        return String.format(" %d of %d answers right by the scene's ground truth.", right, known);
    }

    <T extends AutoCloseable> T closeLater(T resource) {
        closeables.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                out.println("  (while cleaning up: " + e.getMessage() + ")");
            }
        }
    }
}
