package dev.sightline.tokenizer;

import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.protocol.tokens.TokenModality;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapters to the model's real towers, on the model module's tiny fixture checkpoints (random weights in Hugging
 * Face layout): a SmolVLM with 32 px images, 8 px patches and a 2x2 pixel shuffle (2x2 tokens of width 64), and a
 * Whisper encoder of 50 positions with a pooling projector.
 */
class ModelTowersTest {
    static final Path FIXTURES = Path.of("..", "model", "src", "test", "resources", "fixtures");
    static SmolVlmFrameEncoder vision;
    static WhisperAudioEncoder hearing;

    @BeforeAll
    static void open() {
        vision = SmolVlmFrameEncoder.open(FIXTURES.resolve("smolvlm"));
        hearing = WhisperAudioEncoder.open(FIXTURES.resolve("whisper"), 15_360); // 0.96 s: 96 mel frames, 48 positions
    }

    @AfterAll
    static void close() throws Exception {
        vision.close();
        hearing.close();
    }

    @Test
    void theVisionAdapterReportsTheConnectorGridAndReturnsOnlyAskedCells() {
        assertThat(vision.inputSize()).isEqualTo(32);
        assertThat(vision.gridRows()).isEqualTo(2);
        assertThat(vision.dim()).isEqualTo(64);
        float[][] all = vision.encode(Scenes.background(32), new boolean[]{true, true, true, true});
        float[][] one = vision.encode(Scenes.background(32), new boolean[]{false, true, false, false});
        assertThat(one[0]).isNull();
        // the model's parallel kernels may sum in a different order from call to call: equal to rounding
        assertThat(one[1]).containsExactly(all[1], org.assertj.core.data.Offset.offset(1e-5f));
        float[][] moved = vision.encode(Scenes.squareAt(32, 0, 0, 16), new boolean[]{true, true, true, true});
        assertThat(Vectors.cosine(moved[0], all[0])).isLessThan(0.999);
    }

    @Test
    void theAudioAdapterGivesTimedTokensWithLoudnessSalience() {
        float[] loud = new float[16_000];
        for (int i = 0; i < loud.length; i++) {
            loud[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 16_000.0));
        }
        AudioEncoder.AudioEncoding enc = hearing.encode(loud, 1_000_000);
        // one 0.96 s window: 96 mel frames -> 48 encoder tokens -> pooled by 2 -> 24; the 40 ms tail is too short
        assertThat(enc.size()).isEqualTo(24);
        assertThat(enc.embeddings()[0]).hasSize(hearing.dim());
        assertThat(enc.ptsMicros()[0]).isEqualTo(1_000_000);
        assertThat(enc.ptsMicros()[1]).isEqualTo(1_040_000);
        assertThat(enc.salience()[3]).isCloseTo((float) ((20 * Math.log10(0.5 / Math.sqrt(2)) + 60) / 60),
                org.assertj.core.data.Offset.offset(0.01f));
        assertThat(hearing.encode(new float[16_000], 0).salience()).containsOnly(0f);
    }

    @Test
    void theTopologyRunsOnTheRealTowers() {
        TopicNames topics = TopicNames.defaults();
        Properties p = new Properties();
        p.put("application.id", "real-towers");
        p.put("bootstrap.servers", "unused:9092");
        TokenizerMetrics metrics = new TokenizerMetrics();
        TokenizerConfig cfg = TokenizerConfig.standard().withDefaults(StageSettings.ALL_OFF
                .withGate(PixelGate.Config.DEFAULT)
                .withTemporal(new TemporalDrop.Config(true, 0.999, 0.0, 0))
                .withAllocation(AudioGuidedAllocation.Config.DEFAULT));
        try (var driver = new TopologyTestDriver(TokenizerTopology.build(cfg, vision, hearing, metrics), p)) {
            var frames = driver.createInputTopic(topics.frames(), new StringSerializer(), new ByteArraySerializer());
            var audio = driver.createInputTopic(topics.audio(), new StringSerializer(), new ByteArraySerializer());
            var tokens = driver.createOutputTopic(topics.tokens(), new StringDeserializer(),
                    new TokenBatchSerde().deserializer());
            var errors = driver.createOutputTopic(topics.errors(), new StringDeserializer(),
                    SightlineSerdes.errorRecord().deserializer());
            // 0.5 s: square in the top-left cell; 1.0 s: the same; 1.5 s: moved to the top-right cell
            frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 0, 500_000, Scenes.squareAt(32, 0, 0, 16))));
            frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 1, 1_000_000, Scenes.squareAt(32, 0, 0, 16))));
            frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", 2, 1_500_000, Scenes.squareAt(32, 16, 0, 16))));
            audio.pipeInput("cam", Clips.bytes(Clips.tone("cam", 0, 0, 1.0, 0.5)));
            audio.pipeInput("cam", Clips.bytes(Clips.tone("cam", 1, 1_000_000, 1.0, 0.5)));
            List<TokenBatch> out = tokens.readValuesToList();
            List<TokenBatch> video = out.stream().filter(b -> b.modality() == TokenModality.VIDEO).toList();
            assertThat(video).hasSize(3);
            assertThat(video.get(0).tokens()).hasSize(3);    // loud window: budget ceil(0.53 * 4) = 3 of 4
            assertThat(video.get(0).representedTokens()).isEqualTo(4);
            assertThat(video.get(1).tokens()).isEmpty();     // nothing changed: the tower was not even called
            assertThat(video.get(2).tokens()).extracting(t -> t.patchRow() * 2 + t.patchCol()).contains(0, 1);
            assertThat(metrics.cellsEncoded()).isEqualTo(4 + 0 + 2);
            assertThat(metrics.framesEncoded()).isEqualTo(2);
            assertThat(metrics.encoderNanosSaved()).isPositive();
            assertThat(out.stream().filter(b -> b.modality() == TokenModality.AUDIO)).hasSize(2);
            List<ErrorRecord> bad = errors.readValuesToList();
            assertThat(bad).isEmpty();
        }
    }
}
