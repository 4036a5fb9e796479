package dev.sightline.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.sightline.ingest.IngestListener;
import dev.sightline.ingest.IngestService;
import dev.sightline.ingest.IngestedStream;
import dev.sightline.ingest.StreamSource;
import dev.sightline.ingest.StreamStats;
import java.util.HashMap;
import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSetup;

/**
 * The demo's steps: Kafka, topics, the tokenizer and the runtime, a StreamQA clip ingested live, questions and
 * answers ({@link DemoPipelineSteps}), and counting what arrived on each topic.
 */
final class DemoSteps {

    private DemoSteps() {
    }

    /** The steps in the order the demo runs them. */
    static List<DemoStep> all() {
        return List.of(new StartKafka(), new CreateTopics(), new DemoPipelineSteps.StartTokenizer(),
                new DemoPipelineSteps.StartRuntime(), new GenerateClip(), new IngestClip(),
                new DemoPipelineSteps.AskQuestions(), new DemoPipelineSteps.ShowAnswers(),
                new DemoPipelineSteps.AskOverHttp(), new CountRecords());
    }

    /** The embedded broker in a temporary folder on a free port, or the configured cluster. */
    static final class StartKafka implements DemoStep {
        @Override
        public String title() {
            return "Kafka";
        }

        @Override
        public void run(DemoContext demo) {
            demo.kafka = demo.closeLater(KafkaConnection.open(demo.config, demo.workDir.resolve("kafka"), true));
            demo.out.println(demo.kafka.embeddedBroker()
                    .map(b -> "  embedded single-node KRaft broker on " + b.bootstrapServers() + ", data in "
                            + b.dataDir())
                    .orElse("  using the cluster at " + demo.kafka.bootstrapServers()));
        }
    }

    static final class CreateTopics implements DemoStep {
        @Override
        public String title() {
            return "Topics";
        }

        @Override
        public void run(DemoContext demo) {
            TopicSetup.Result r = Topics.ensure(demo.kafka.bootstrapServers(), demo.config);
            demo.out.printf("  %d created, %d already there (%d partition(s) each, max.message.bytes=%d)%n",
                    r.created().size(), r.existing().size(), demo.config.topicSettings().partitions(),
                    demo.config.maxMessageBytes());
        }
    }

    static final class GenerateClip implements DemoStep {
        @Override
        public String title() {
            return "Clip (a StreamQA scene)";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            demo.clip = DemoClip.generate(demo.sceneIndex, demo.seconds, demo.workDir.resolve("clip.mp4"));
            demo.out.printf("  %s%n  %s%n", demo.clip.file(), demo.clip.describe());
        }
    }

    /**
     * Ingests the clip live: at its own pace (real time) unless {@code ingest.pace} is set, with the runtime's view
     * of the stream shown as it grows, and one question asked half-way through.
     */
    static final class IngestClip implements DemoStep {
        private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
        private static final Duration CHECK_EVERY = Duration.ofMillis(250);

        @Override
        public String title() {
            return "Live ingest";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            boolean paced = demo.config.isSet(Settings.INGEST_PACE) ? demo.config.get(Settings.INGEST_PACE) : true;
            Map<Setting<?>, Object> overrides = new HashMap<>(Map.of(Settings.INGEST_PACE, paced));
            // frames at the clip's own size unless configured: letterboxing a square clip into 16:9 would shrink it
            if (!demo.config.isSet(Settings.INGEST_WIDTH) && !demo.config.isSet(Settings.INGEST_HEIGHT)) {
                overrides.put(Settings.INGEST_WIDTH, demo.clip.size());
                overrides.put(Settings.INGEST_HEIGHT, demo.clip.size());
            }
            StreamConfig configured = new StreamConfig(demo.streamId, demo.clip.file().toString(), overrides,
                    Map.of(), "demo");
            StreamSource source = StreamSources.of(configured, demo.config);
            demo.out.printf("  stream %s, read %s%n", demo.streamId, paced ? "at real-time pace, as a live camera"
                    : "as fast as possible (ingest.pace=false)");
            IngestListener progress = new IngestListener() {
                @Override
                public void onEvent(StreamEvent e) {
                    demo.out.println("  event: " + e.state() + (e.message() == null ? "" : " - " + e.message()));
                }

                @Override
                public void onError(String streamId, String message) {
                    demo.out.println("  error: " + message);
                }
            };
            long halfway = demo.clip.durationMicros() / 2;
            try (IngestService ingest = IngestService.connect(demo.kafka.bootstrapServers(),
                    demo.config.topicNames(), demo.config.topicSettings(), progress)) {
                IngestedStream stream = ingest.start(source);
                long deadline = System.nanoTime() + demo.ingestTimeout.toNanos();
                boolean askedLive = false;
                long lastPrint = System.nanoTime();
                // checks often (for the live question), prints every PROGRESS_EVERY
                while (!stream.awaitTermination(CHECK_EVERY)) {
                    StreamStats s = stream.stats();
                    if (System.nanoTime() - lastPrint >= PROGRESS_EVERY.toNanos()) {
                        lastPrint = System.nanoTime();
                        demo.out.printf("  ... %.1f s of the clip: %d frames, %d audio chunks sent; %s%n",
                                Math.max(0, s.lastPtsMicros()) / 1e6, s.framesSent(), s.chunksSent(),
                                demo.session().map(DemoSteps::memoryLine).orElse("no session yet"));
                    }
                    if (paced && !askedLive && s.lastPtsMicros() >= halfway && demo.session().isPresent()) {
                        var q = DemoQuestions.ask(demo, DemoQuestions.WHILE_LIVE, null, true);
                        demo.out.printf("  asked %s while live: \"%s\"%n", q.queryId(), q.text());
                        askedLive = true;
                    }
                    if (System.nanoTime() > deadline) {
                        stream.stop();
                        demo.failures.add("ingest did not finish within " + demo.ingestTimeout.toSeconds() + " s");
                        break;
                    }
                }
                demo.ingestStats = stream.stats();
            }
            StreamStats s = demo.ingestStats;
            demo.out.printf("  %s: %s, %d frames and %d audio chunks sent (%d KiB), %d dropped, %d send failures%n",
                    s.streamId(), s.state(), s.framesSent(), s.chunksSent(), s.bytesSent() / 1024,
                    s.framesDropped() + s.chunksDropped(), s.sendFailures());
        }
    }

    /** The runtime's memory of the stream in a few words. */
    static String memoryLine(dev.sightline.runtime.SessionStatus s) {
        return String.format("runtime: %d frames prefilled, %d tokens / %s of %s kept, %d compressions",
                s.frames(), s.tokensKept(), DemoPipelineSteps.bytes(s.bytesKept()),
                DemoPipelineSteps.bytes(s.budgetBytes()), s.compressions());
    }

    /** Reads every topic back and compares frames and audio with what the clip must give. */
    static final class CountRecords implements DemoStep {
        @Override
        public String title() {
            return "Records per topic (read back from Kafka)";
        }

        @Override
        public void run(DemoContext demo) {
            TopicNames topics = demo.config.topicNames();
            String bs = demo.kafka.bootstrapServers();
            int maxBytes = demo.config.maxMessageBytes();
            demo.counts = TopicReader.count(bs, topics.all(), demo.streamId, maxBytes);
            demo.counts.forEach((topic, n) -> demo.out.printf("  %-28s %6d%n", topic, n));

            ExpectedCounts expected = ExpectedCounts.of(demo.clip.durationMicros(), demo.clip.sampleRate(),
                    demo.streamSourceFps(), demo.audioChunk());
            List<AudioChunk> chunks = TopicReader.read(bs, topics.audio(), demo.streamId, maxBytes,
                    SightlineSerdes.audioChunk().deserializer());
            AudioSummary audio = AudioSummary.of(chunks, demo.audioChunk());
            demo.out.printf("  expected from the %.1f s clip: %d frames (x %s fps), %d audio chunks of %s%s%n",
                    expected.seconds(), expected.frames(), number(demo.streamSourceFps()),
                    expected.fullAudioChunks(), Durations.text(demo.audioChunk()),
                    expected.restMicros() > 0 ? " + one of " + expected.restMicros() / 1000 + " ms" : "");
            demo.out.printf("  arrived: %d frames, %d audio chunks of %s%s%n", demo.counts.get(topics.frames()),
                    audio.fullChunks(), Durations.text(demo.audioChunk()), audio.partialChunks() == 0 ? ""
                            : " + " + audio.partialChunks() + " of " + audio.tailMicros() / 1000
                            + " ms (the AAC encoder pads the track's last frame)");
            check(demo, topics.frames() + " records", demo.counts.get(topics.frames()), expected.frames());
            check(demo, "full audio chunks", audio.fullChunks(), expected.fullAudioChunks());
            if (!expected.tailMatches(audio.partialChunks(), audio.tailMicros())) {
                demo.failures.add("audio ends in " + audio.partialChunks() + " short chunk(s) of "
                        + audio.tailMicros() + " us; expected at most one, of " + expected.restMicros()
                        + " us give or take " + expected.paddingMicros() + " us of encoder padding");
            }
            check(demo, topics.errors() + " records", demo.counts.get(topics.errors()), 0);
            check(demo, topics.answers() + " records", demo.counts.get(topics.answers()), demo.asked.size());
            if (demo.counts.get(topics.tokens()) == 0) {
                demo.failures.add("no token batches on " + topics.tokens());
            }
        }

        private static void check(DemoContext demo, String what, long got, long expected) {
            if (got != expected) {
                demo.failures.add(what + ": " + got + ", expected " + expected);
            }
        }

        private static String number(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /**
     * Audio as it arrived: chunks of the full configured length, and what came after them (the clip's remainder
     * when its length is not a whole number of chunks, plus encoder padding).
     */
    record AudioSummary(long fullChunks, long partialChunks, long tailMicros) {
        static AudioSummary of(List<AudioChunk> chunks, Duration chunkLength) {
            long full = 0;
            long partial = 0;
            long tail = 0;
            long chunkMicros = chunkLength.toNanos() / 1000;
            for (AudioChunk c : chunks) {
                if (c.durationMicros() >= chunkMicros) {
                    full++;
                } else {
                    partial++;
                    tail += c.durationMicros();
                }
            }
            return new AudioSummary(full, partial, tail);
        }
    }
}
