package dev.sightline.tokenizer;

import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.testing.KafkaTestBroker;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.protocol.tokens.TokenModality;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The tokenizer as a real Kafka Streams application (exactly once) on the in-process KRaft broker. */
class TokenizerOnBrokerTest {

    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    private static final TopicNames TOPICS = TopicNames.withPrefix("it.");
    private static final long T0 = 1_700_000_000_000L;

    private final ProjectionFrameEncoder vision = new ProjectionFrameEncoder(32, 4, 16, 7);
    private final EnergyAudioEncoder hearing = new EnergyAudioEncoder(40, 8, 11);

    private Tokenizer tokenizer() {
        Properties p = Tokenizer.streamsProperties(BROKER.bootstrapServers(), "it-tokenizer");
        // A fresh state directory per instance: the restarted one has no local state at all, so whatever it
        // knows comes back from the changelog topics (and it gets its own transactional id).
        try {
            p.put("state.dir", java.nio.file.Files.createTempDirectory("it-tokenizer").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        p.put("commit.interval.ms", 100);
        // cam-2 has no microphone: stage 4 is off for it, so its frames never wait for audio
        return new Tokenizer(p, TokenizerConfig.standard().withTopics(TOPICS)
                .withStream("cam-2", StageSettings.DEFAULTS.withAllocation(AudioGuidedAllocation.Config.OFF)),
                vision, hearing);
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, long tsMillis, byte[] value) {
        send(producer, topic, "cam-1", tsMillis, value);
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, long tsMillis,
                             byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, tsMillis, key, value));
    }

    private static byte[] frame(long seq, long ptsMicros, RgbImage img) {
        return frame("cam-1", seq, ptsMicros, img);
    }

    private static byte[] frame(String stream, long seq, long ptsMicros, RgbImage img) {
        return Clips.bytes(new VideoFrame(stream, seq, ptsMicros, T0 + ptsMicros / 1000, img.width(), img.height(),
                PixelFormat.JPEG, Clips.jpeg(img)));
    }

    private static void waitUntilRunning(Tokenizer t) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (t.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(t.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    private static <V> List<V> readUntil(KafkaConsumer<String, V> consumer, Predicate<List<V>> done) {
        List<V> got = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.test(got) && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                got.add(r.value());
            }
        }
        return got;
    }

    private static <V> KafkaConsumer<String, V> consumer(String topic, org.apache.kafka.common.serialization.Deserializer<V> d) {
        Properties p = KafkaClientConfigs.consumer(BROKER.bootstrapServers(), null, TopicSettings.DEFAULT_MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), d);
        c.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                new org.apache.kafka.common.TopicPartition(topic, 1)));
        c.seekToBeginning(c.assignment());
        return c;
    }

    @Test
    void aGeneratedClipBecomesCompactTokensAndStateSurvivesARestart() throws Exception {
        try (Admin admin = BROKER.admin()) {
            // two partitions: frames and audio are co-partitioned by stream id, one task per partition
            TopicSetup.ensureTopics(admin, TOPICS, new TopicSettings(2, (short) 1, TopicSettings.DEFAULT_MAX_MESSAGE_BYTES));
        }
        Properties pp = KafkaClientConfigs.producer(BROKER.bootstrapServers(), TopicSettings.DEFAULT_MAX_MESSAGE_BYTES);
        try (var producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
             var tokens = consumer(TOPICS.tokens(), new TokenBatchSerde().deserializer());
             var errors = consumer(TOPICS.errors(), SightlineSerdes.errorRecord().deserializer())) {
            // 2 s of clip: a square crossing a static background at 4 fps, a loud first window, a silent second.
            for (int i = 0; i < 8; i++) {
                long pts = i * 250_000L;
                send(producer, TOPICS.frames(), T0 + pts / 1000, frame(i, pts, Scenes.squareAt(32, 8 * (i % 4), 8, 8)));
            }
            send(producer, TOPICS.frames(), T0 + 1800, "not a frame".getBytes());
            for (int i = 0; i < 3; i++) { // a second camera, static, without audio
                send(producer, TOPICS.frames(), "cam-2", T0 + i * 250, frame("cam-2", i, i * 250_000L, Scenes.background(32)));
            }
            send(producer, TOPICS.audio(), T0, Clips.bytes(Clips.tone("cam-1", 0, 0, 2.0, 0.5)));
            send(producer, TOPICS.audio(), T0 + 2000, Clips.bytes(Clips.tone("cam-1", 1, 2_000_000, 2.0, 0)));
            producer.flush();

            Tokenizer first = tokenizer();
            first.start();
            waitUntilRunning(first);
            List<TokenBatch> all = readUntil(tokens, l -> l.size() >= 13);
            List<TokenBatch> out = all.stream().filter(b -> b.streamId().equals("cam-1")).toList();
            List<TokenBatch> cam2 = all.stream().filter(b -> b.streamId().equals("cam-2")).toList();
            List<ErrorRecord> bad = readUntil(errors, l -> !l.isEmpty());
            first.close();

            List<TokenBatch> video = out.stream().filter(b -> b.modality() == TokenModality.VIDEO).toList();
            List<TokenBatch> audio = out.stream().filter(b -> b.modality() == TokenModality.AUDIO).toList();
            assertThat(video).extracting(TokenBatch::sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(audio).extracting(b -> b.tokens().size()).containsExactly(35, 0);
            // the loud window caps every frame at 9 of 16; the first frame fills it and stands for all 16 cells
            assertThat(video.getFirst().tokens()).hasSize(9);
            assertThat(video.getFirst().representedTokens()).isEqualTo(16);
            assertThat(video).allMatch(b -> b.tokens().size() <= 9);
            int later = video.subList(1, 8).stream().mapToInt(b -> b.tokens().size()).sum();
            assertThat(later).isLessThanOrEqualTo(7 * 2); // only where the square left and entered
            assertThat(first.metrics().cellsSkipped()).isGreaterThanOrEqualTo(7 * 14 + 2 * 16);
            assertThat(bad).hasSize(1);
            // cam-2: first frame whole (spatial merge aside), then only the temporal floor of its static scene
            assertThat(cam2).extracting(TokenBatch::sequence).containsExactly(0L, 1L, 2L);
            assertThat(cam2.get(1).tokens()).hasSize(2);
            assertThat(cam2.get(2).tokens()).hasSize(2);
            assertThat(bad.getFirst().reason()).contains("bad VideoFrame record");

            // After a restart the references come back from the changelog: a static frame is not a "first frame".
            long pts = 2_250_000;
            send(producer, TOPICS.frames(), T0 + pts / 1000, frame(8, pts, Scenes.squareAt(32, 24, 8, 8)));
            producer.flush();
            Tokenizer second = tokenizer();
            second.start();
            waitUntilRunning(second);
            List<TokenBatch> after = readUntil(tokens, l -> !l.isEmpty());
            second.close();
            assertThat(after).hasSize(1);
            assertThat(after.getFirst().sequence()).isEqualTo(8);
            assertThat(second.metrics().cellsEncoded()).isZero();              // the pixel gate reused all 16
            assertThat(after.getFirst().tokens()).hasSize(2);                  // temporal floor, 10% of 16
        }
    }
}
