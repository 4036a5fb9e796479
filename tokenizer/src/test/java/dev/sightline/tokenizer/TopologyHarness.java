package dev.sightline.tokenizer;

import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.util.Properties;

/** A TopologyTestDriver around the tokenizer with the test encoders: 32x32 frames, a 4x4 grid of 16-dim tokens. */
final class TopologyHarness implements AutoCloseable {
    static final TopicNames TOPICS = TopicNames.defaults();

    final TokenizerMetrics metrics = new TokenizerMetrics();
    final FrameEncoder frameEncoder = new ProjectionFrameEncoder(32, 4, 16, 7);
    final AudioEncoder audioEncoder = new EnergyAudioEncoder(40, 8, 11);
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> frames;
    final TestInputTopic<String, byte[]> audio;
    final TestInputTopic<String, byte[]> events;
    final TestOutputTopic<String, TokenBatch> tokens;
    final TestOutputTopic<String, ErrorRecord> errors;

    TopologyHarness(TokenizerConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "tokenizer-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        driver = new TopologyTestDriver(TokenizerTopology.build(config.withTopics(TOPICS), frameEncoder, audioEncoder,
                metrics), p);
        frames = driver.createInputTopic(TOPICS.frames(), new StringSerializer(), new ByteArraySerializer());
        audio = driver.createInputTopic(TOPICS.audio(), new StringSerializer(), new ByteArraySerializer());
        events = driver.createInputTopic(TOPICS.events(), new StringSerializer(), new ByteArraySerializer());
        tokens = driver.createOutputTopic(TOPICS.tokens(), new StringDeserializer(), new TokenBatchSerde().deserializer());
        errors = driver.createOutputTopic(TOPICS.errors(), new StringDeserializer(),
                SightlineSerdes.errorRecord().deserializer());
    }

    static TopologyHarness with(StageSettings settings) {
        return new TopologyHarness(TokenizerConfig.standard().withDefaults(settings));
    }

    @Override
    public void close() {
        driver.close();
    }
}
