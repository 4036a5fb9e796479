package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.VideoFrame;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads a whole topic back in offset order (tests only): what a downstream consumer would see. */
final class KafkaReader {
    private KafkaReader() {
    }

    static <T> List<ConsumerRecord<String, T>> readAll(String bootstrap, String topic, Deserializer<T> valueDe,
                                                       Predicate<List<ConsumerRecord<String, T>>> until,
                                                       Duration timeout) {
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        var props = KafkaClientConfigs.consumer(bootstrap, null, TopicSettings.DEFAULT_MAX_MESSAGE_BYTES);
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), valueDe)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !until.test(out)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // anything further already there (duplicates would show up here)
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        return out;
    }

    static List<VideoFrame> frames(String bs, String topic, String streamId, int atLeast) {
        return readAll(bs, topic, SightlineSerdes.videoFrame().deserializer(),
                l -> l.stream().filter(r -> r.key().equals(streamId)).count() >= atLeast, Duration.ofSeconds(30))
                .stream().filter(r -> r.key().equals(streamId)).map(ConsumerRecord::value).toList();
    }

    static List<AudioChunk> chunks(String bs, String topic, String streamId, int atLeast) {
        return readAll(bs, topic, SightlineSerdes.audioChunk().deserializer(),
                l -> l.stream().filter(r -> r.key().equals(streamId)).count() >= atLeast, Duration.ofSeconds(30))
                .stream().filter(r -> r.key().equals(streamId)).map(ConsumerRecord::value).toList();
    }

    static List<StreamEvent> events(String bs, String topic, String streamId) {
        return readAll(bs, topic, SightlineSerdes.streamEvent().deserializer(),
                l -> l.stream().anyMatch(r -> r.key().equals(streamId) && r.value().state().terminal()),
                Duration.ofSeconds(30))
                .stream().filter(r -> r.key().equals(streamId)).map(ConsumerRecord::value).toList();
    }

    static List<ErrorRecord> errors(String bs, String topic, int atLeast) {
        return readAll(bs, topic, SightlineSerdes.errorRecord().deserializer(), l -> l.size() >= atLeast,
                Duration.ofSeconds(30)).stream().map(ConsumerRecord::value).toList();
    }
}
