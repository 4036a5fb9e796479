package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import dev.sightline.protocol.VideoFrame;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Sends frames and audio chunks through Sightline's serdes to a cluster and reads them back, checking every field.
 * Shared by the tests against the embedded broker and against a Testcontainers broker: same code, two clusters.
 */
final class SightlineRecordsRoundTrip {

    private SightlineRecordsRoundTrip() {
    }

    static void run(String bootstrapServers, TopicNames topics, TopicSettings settings) throws Exception {
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(bootstrapServers))) {
            TopicSetup.ensureTopics(admin, topics, settings);
        }
        List<VideoFrame> frames = new ArrayList<>();
        List<AudioChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // Frames well over Kafka's 1 MiB default show the raised limits are in force end to end.
            byte[] rgb = new byte[640 * 640 * 3];
            rgb[i] = (byte) (i + 1);
            frames.add(new VideoFrame("cam-1", i, i * 1_000_000L, 1_700_000_000_000L + i, 640, 640,
                    PixelFormat.RGB24, rgb));
            short[] pcm = new short[16_000];
            pcm[i] = (short) (1000 * (i + 1));
            chunks.add(new AudioChunk("cam-1", i, i * 1_000_000L, 16_000, 1, pcm));
        }
        Properties p = KafkaClientConfigs.producer(bootstrapServers, settings.maxMessageBytes());
        try (var fp = new KafkaProducer<>(p, SightlineSerdes.streamKey().serializer(),
                SightlineSerdes.videoFrame().serializer());
             var ap = new KafkaProducer<>(p, SightlineSerdes.streamKey().serializer(),
                     SightlineSerdes.audioChunk().serializer())) {
            for (VideoFrame f : frames) {
                fp.send(new ProducerRecord<>(topics.frames(), f.streamId(), f)).get();
            }
            for (AudioChunk c : chunks) {
                ap.send(new ProducerRecord<>(topics.audio(), c.streamId(), c)).get();
            }
        }
        List<VideoFrame> gotFrames = consume(bootstrapServers, topics.frames(), settings.maxMessageBytes(),
                SightlineSerdes.videoFrame().deserializer(), frames.size());
        List<AudioChunk> gotChunks = consume(bootstrapServers, topics.audio(), settings.maxMessageBytes(),
                SightlineSerdes.audioChunk().deserializer(), chunks.size());
        assertThat(gotFrames).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame want = frames.get(i);
            VideoFrame got = gotFrames.get(i);
            assertThat(got.streamId()).isEqualTo(want.streamId());
            assertThat(got.sequence()).isEqualTo(want.sequence());
            assertThat(got.ptsMicros()).isEqualTo(want.ptsMicros());
            assertThat(got.captureTimeMillis()).isEqualTo(want.captureTimeMillis());
            assertThat(got.format()).isEqualTo(want.format());
            assertThat(got.data()).isEqualTo(want.data());
        }
        assertThat(gotChunks).hasSize(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(gotChunks.get(i).sequence()).isEqualTo(chunks.get(i).sequence());
            assertThat(gotChunks.get(i).startPtsMicros()).isEqualTo(chunks.get(i).startPtsMicros());
            assertThat(gotChunks.get(i).samples()).isEqualTo(chunks.get(i).samples());
        }
    }

    private static <T> List<T> consume(String bootstrapServers, String topic, int maxBytes, Deserializer<T> values,
                                       int expected) {
        Properties c = KafkaClientConfigs.consumer(bootstrapServers, "round-trip-" + topic, maxBytes);
        List<T> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(c, SightlineSerdes.streamKey().deserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(r.key()).isEqualTo("cam-1");
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
