package dev.sightline.protocol;

import dev.sightline.protocol.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Topic creation and bad-record routing against a real in-process KRaft broker. */
class KafkaProtocolTest {
    @RegisterExtension
    static final KafkaTestBroker BROKER = new KafkaTestBroker();

    @Test
    void createsMissingTopicsWithTheLimitAndRaisesItOnExistingOnes() throws Exception {
        TopicNames names = TopicNames.withPrefix("setup.");
        try (Admin admin = BROKER.admin()) {
            TopicSetup.Result first = TopicSetup.ensureTopics(admin, names,
                    new TopicSettings(2, (short) 1, 2 * 1024 * 1024));
            assertThat(first.created()).containsExactlyElementsOf(names.all());
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, names.frames());
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get("max.message.bytes").value()).isEqualTo(Integer.toString(2 * 1024 * 1024));
            assertThat(admin.describeTopics(List.of(names.frames())).allTopicNames().get()
                    .get(names.frames()).partitions()).hasSize(2);

            TopicSetup.Result second = TopicSetup.ensureTopics(admin, names,
                    new TopicSettings(2, (short) 1, 4 * 1024 * 1024));
            assertThat(second.created()).isEmpty();
            assertThat(second.raisedLimit()).containsExactlyInAnyOrderElementsOf(names.all());
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get("max.message.bytes").value()).isEqualTo(Integer.toString(4 * 1024 * 1024));
        }
    }

    @Test
    void garbageOnTheFramesTopicGoesToErrorsAndDecodingGoesOn() throws Exception {
        TopicNames names = TopicNames.withPrefix("garbage.");
        TopicSettings settings = TopicSettings.singleBroker();
        try (Admin admin = BROKER.admin()) {
            TopicSetup.ensureTopics(admin, names, settings);
        }
        String bs = BROKER.bootstrapServers();
        VideoFrame good = new VideoFrame("cam-1", 0, 0, 1, 2, 1, PixelFormat.RGB24, new byte[6]);
        try (var producer = new KafkaProducer<>(KafkaClientConfigs.producer(bs, settings.maxMessageBytes()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(names.frames(), "cam-1", VideoFrameSerde.encode(good)));
            producer.send(new ProducerRecord<>(names.frames(), "cam-9",
                    "hello, not a frame".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(names.frames(), "cam-1",
                    VideoFrameSerde.encode(new VideoFrame("cam-1", 1, 1_000_000, 2, 2, 1, PixelFormat.RGB24,
                            new byte[6]))));
            producer.flush();
        }

        List<VideoFrame> decoded = new ArrayList<>();
        try (var errorProducer = new KafkaProducer<>(KafkaClientConfigs.producer(bs, settings.maxMessageBytes()),
                new StringSerializer(), SightlineSerdes.errorRecord().serializer());
             var consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(bs, "g1", settings.maxMessageBytes()),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var router = new BadRecordRouter<>(new VideoFrameSerde().deserializer(), errorProducer, names.errors());
            consumer.subscribe(List.of(names.frames()));
            long deadline = System.currentTimeMillis() + 20_000;
            int seen = 0;
            while (seen < 3 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen++;
                    router.decode(r).ifPresent(decoded::add);
                }
            }
            errorProducer.flush();
            assertThat(router.rejected()).isEqualTo(1);
        }
        assertThat(decoded).extracting(VideoFrame::sequence).containsExactly(0L, 1L);

        List<ErrorRecord> errors = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(bs, "g2", settings.maxMessageBytes()),
                new ByteArrayDeserializer(), SightlineSerdes.errorRecord().deserializer())) {
            consumer.subscribe(List.of(names.errors()));
            long deadline = System.currentTimeMillis() + 20_000;
            while (errors.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> errors.add(r.value()));
            }
        }
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.sourceTopic()).isEqualTo(names.frames());
            assertThat(e.offset()).isEqualTo(1);
            assertThat(e.streamId()).isEqualTo("cam-9");
            assertThat(e.reason()).contains("bad VideoFrame record", "bad magic");
        });
        assertThat(decoded.get(1).ptsMicros()).isEqualTo(1_000_000L);
    }
}
