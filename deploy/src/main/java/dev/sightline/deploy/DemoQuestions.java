package dev.sightline.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import dev.sightline.protocol.Answer;
import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.Query;
import dev.sightline.protocol.SightlineSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's questions, asked the way any client would: a JSON {@link Query} on the queries topic, keyed by stream
 * id; answers read back from the answers topic as committed JSON. After the clip ends, the StreamQA benchmark's own
 * questions about the scene are asked, so each answer can be shown beside the right one.
 */
final class DemoQuestions {

    /** StreamQA's answers are one word; a few tokens leave room for the end-of-utterance token. */
    static final int MAX_TOKENS = 4;

    /** Asked while the clip is still streaming, once half of it has been ingested (StreamQA's "current" question). */
    static final String WHILE_LIVE = "What is on screen now?";

    /**
     * A question sent: its id, text, the right answer when the scene's ground truth gives one (else null), and when
     * (wall clock) it went out.
     */
    record Asked(String queryId, String text, String expected, long sentMillis, boolean whileLive) {
    }

    private DemoQuestions() {
    }

    /** Whether {@code answer}'s first word is {@code expected} (StreamQA answers are single words). */
    static boolean isRight(Answer answer, String expected) {
        String[] words = answer.text() == null ? new String[0] : answer.text().strip().split("\\s+");
        return words.length > 0 && words[0].equalsIgnoreCase(expected);
    }

    /** Sends {@code text} about the demo's stream and records it, with its right answer, in {@code demo.asked}. */
    static Asked ask(DemoContext demo, String text, String expected, boolean whileLive) {
        String id = demo.streamId + "-q" + (demo.asked.size() + 1);
        long now = System.currentTimeMillis();
        Query q = new Query(demo.streamId, id, text, MAX_TOKENS, null, now);
        Properties p = KafkaClientConfigs.producer(demo.kafka.bootstrapServers(), demo.config.maxMessageBytes());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), SightlineSerdes.query().serializer())) {
            producer.send(new ProducerRecord<>(demo.config.topicNames().queries(), demo.streamId, q));
            producer.flush();
        }
        Asked asked = new Asked(id, text, expected, now, whileLive);
        demo.asked.add(asked);
        return asked;
    }

    /**
     * Reads committed answers of the demo's stream until every asked question has one, then a short while more so a
     * duplicate would be seen too. Fails after {@code timeout}.
     */
    static void collect(DemoContext demo, Duration timeout) {
        Set<String> wanted = new HashSet<>();
        demo.asked.forEach(a -> wanted.add(a.queryId()));
        Properties p = KafkaClientConfigs.consumer(demo.kafka.bootstrapServers(), null,
                demo.config.maxMessageBytes());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // answers are written in transactions
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        String topic = demo.config.topicNames().answers();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), SightlineSerdes.answer().deserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic, timeout).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            long graceEnds = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, graceEnds)) {
                for (ConsumerRecord<String, Answer> r : consumer.poll(Duration.ofMillis(200))) {
                    Answer a = r.value();
                    if (a != null && wanted.contains(a.queryId())) {
                        demo.answers.computeIfAbsent(a.queryId(), k -> new ArrayList<>()).add(a);
                    }
                }
                if (graceEnds == Long.MAX_VALUE && demo.answers.keySet().containsAll(wanted)) {
                    graceEnds = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
    }
}
