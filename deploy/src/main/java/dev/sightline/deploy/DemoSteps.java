package dev.sightline.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.sightline.ingest.IngestListener;
import dev.sightline.ingest.IngestService;
import dev.sightline.ingest.IngestedStream;
import dev.sightline.ingest.StreamSource;
import dev.sightline.ingest.StreamStats;
import dev.sightline.ingest.SyntheticMediaGenerator;
import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSetup;

/** The demo's steps so far: Kafka, topics, a synthetic clip, ingest, and counting what arrived. */
final class DemoSteps {

    private DemoSteps() {
    }

    /** The steps in the order the demo runs them. */
    static List<DemoStep> all() {
        return List.of(new StartKafka(), new CreateTopics(), new GenerateClip(), new IngestClip(),
                new CountRecords());
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
            return "Synthetic clip";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            demo.clip = demo.workDir.resolve("clip.mp4");
            demo.groundTruth = SyntheticMediaGenerator.generate(demo.clipSpec, demo.clip);
            var s = demo.clipSpec;
            demo.out.printf("  %s: %.1f s, %dx%d at %d fps, %d shapes, %d tones, seed %d%n", demo.clip,
                    s.durationMicros() / 1e6, s.width(), s.height(), s.fps(), demo.groundTruth.shapes().size(),
                    demo.groundTruth.tones().size(), s.seed());
        }
    }

    static final class IngestClip implements DemoStep {
        private static final long PROGRESS_EVERY_NANOS = Duration.ofMillis(500).toNanos();

        @Override
        public String title() {
            return "Ingest";
        }

        @Override
        public void run(DemoContext demo) throws Exception {
            StreamConfig configured = new StreamConfig(demo.streamId, demo.clip.toString(), Map.of(), "demo");
            StreamSource source = StreamSources.of(configured, demo.config);
            AtomicLong lastPrint = new AtomicLong();
            IngestListener progress = new IngestListener() {
                @Override
                public void onProgress(StreamStats s) {
                    long now = System.nanoTime();
                    long last = lastPrint.get();
                    if (now - last >= PROGRESS_EVERY_NANOS && lastPrint.compareAndSet(last, now)) {
                        demo.out.printf("  ... %d frames, %d audio chunks sent (clip read to %.1f s)%n", s.framesSent(),
                                s.chunksSent(), Math.max(0, s.lastPtsMicros()) / 1e6);
                    }
                }

                @Override
                public void onEvent(StreamEvent e) {
                    demo.out.println("  event: " + e.state() + (e.message() == null ? "" : " - " + e.message()));
                }

                @Override
                public void onError(String streamId, String message) {
                    demo.out.println("  error: " + message);
                }
            };
            try (IngestService ingest = IngestService.connect(demo.kafka.bootstrapServers(),
                    demo.config.topicNames(), demo.config.topicSettings(), progress)) {
                IngestedStream stream = ingest.start(source);
                if (!stream.awaitTermination(demo.ingestTimeout)) {
                    stream.stop();
                    demo.failures.add("ingest did not finish within " + demo.ingestTimeout.toSeconds() + " s");
                }
                demo.ingestStats = stream.stats();
            }
            StreamStats s = demo.ingestStats;
            demo.out.printf("  %s: %s, %d frames and %d audio chunks sent (%d KiB), %d dropped, %d send failures%n",
                    s.streamId(), s.state(), s.framesSent(), s.chunksSent(), s.bytesSent() / 1024,
                    s.framesDropped() + s.chunksDropped(), s.sendFailures());
        }
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

            ExpectedCounts expected = ExpectedCounts.of(demo.clipSpec, demo.streamSourceFps(), demo.audioChunk());
            List<AudioChunk> chunks = TopicReader.read(bs, topics.audio(), demo.streamId, maxBytes,
                    SightlineSerdes.audioChunk().deserializer());
            AudioSummary audio = AudioSummary.of(chunks, demo.audioChunk());
            demo.out.printf("  expected from the %.1f s clip: %d frames (x %s fps), %d audio chunks of %s%s%n",
                    expected.seconds(), expected.frames(), number(demo.streamSourceFps()),
                    expected.fullAudioChunks(), Durations.text(demo.audioChunk()),
                    audio.tailMicros() > 0 ? String.format(" (+ a %d ms tail chunk: the AAC encoder pads the "
                            + "track's last frame)", audio.tailMicros() / 1000) : "");
            check(demo, topics.frames() + " records", demo.counts.get(topics.frames()), expected.frames());
            check(demo, "full audio chunks", audio.fullChunks(), expected.fullAudioChunks());
            if (audio.partialChunks() > 1 || audio.tailMicros() > expected.maxTailMicros()) {
                demo.failures.add("audio ends in " + audio.partialChunks() + " short chunk(s) totalling "
                        + audio.tailMicros() + " us beyond the whole chunks; at most one of "
                        + expected.maxTailMicros() + " us is encoder padding");
            }
            check(demo, topics.errors() + " records", demo.counts.get(topics.errors()), 0);
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
