package dev.sightline.bench.tokenizer;

import dev.sightline.protocol.TopicNames;
import dev.sightline.tokenizer.AudioGuidedAllocation;
import dev.sightline.tokenizer.EnergyAudioEncoder;
import dev.sightline.tokenizer.FrameEncoder;
import dev.sightline.tokenizer.PixelGate;
import dev.sightline.tokenizer.RgbImage;
import dev.sightline.tokenizer.ProjectionFrameEncoder;
import dev.sightline.tokenizer.SmolVlmFrameEncoder;
import dev.sightline.tokenizer.SpatialMerge;
import dev.sightline.tokenizer.StageSettings;
import dev.sightline.tokenizer.TemporalDrop;
import dev.sightline.tokenizer.TokenizerConfig;
import dev.sightline.tokenizer.TokenizerMetrics;
import dev.sightline.tokenizer.TokenizerTopology;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Properties;

/**
 * The tokenizer topology in a TopologyTestDriver with one small vision tower and one set of stages, fed
 * {@link BenchClip}: one call to {@link #frame()} is one 640x360 JPEG frame (plus, every second frame, a 1 s audio
 * chunk). Towers: {@code siglip-small} (the model's SigLIP code, {@link SmallSiglip}; gated, it runs on the
 * changed 16 px patches only) and {@code projection} (the tokenizer's projection test encoder at the same 7x7x256 token grid; its cost
 * is proportional to the cells asked for).
 */
final class TokenizerRig implements AutoCloseable {
    static final String[] TOWERS = {"siglip-small", "projection"};
    static final String[] STAGES = {"none", "gate", "temporal", "spatial", "allocation", "all"};

    final String tower;
    final String stages;
    final TokenizerMetrics metrics = new TokenizerMetrics();
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> frames;
    private final TestInputTopic<String, byte[]> audio;
    private final TestOutputTopic<String, byte[]> tokens;
    private final BenchClip clip = new BenchClip("cam");
    private final AutoCloseable closeTower;
    private long seq;

    TokenizerRig(String tower, String stages) throws IOException {
        this.tower = tower;
        this.stages = stages;
        FrameEncoder vision;
        if (tower.equals("siglip-small")) {
            SmolVlmFrameEncoder siglip = SmolVlmFrameEncoder.open(SmallSiglip.write(Files.createTempDirectory("siglip-small")));
            closeTower = siglip;
            vision = stages.equals("gate-whole-frame") ? wholeFrames(siglip) : siglip;
        } else if (tower.equals("projection")) {
            vision = new ProjectionFrameEncoder(224, 7, 256, 7);
            closeTower = null;
        } else {
            throw new IllegalArgumentException("unknown tower " + tower);
        }
        TopicNames topics = TopicNames.defaults();
        Properties p = new Properties();
        p.put("application.id", "bench-tokenizer");
        p.put("bootstrap.servers", "unused:9092");
        p.put("processing.exception.handler.global.enabled", true);
        driver = new TopologyTestDriver(TokenizerTopology.build(TokenizerConfig.standard().withDefaults(settings(stages)),
                vision, new EnergyAudioEncoder(40, 64, 11), metrics), p);
        frames = driver.createInputTopic(topics.frames(), new StringSerializer(), new ByteArraySerializer());
        audio = driver.createInputTopic(topics.audio(), new StringSerializer(), new ByteArraySerializer());
        tokens = driver.createOutputTopic(topics.tokens(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    static StageSettings settings(String name) {
        return switch (name) {
            case "none" -> StageSettings.ALL_OFF;
            case "gate", "gate-whole-frame" -> StageSettings.ALL_OFF.withGate(PixelGate.Config.DEFAULT);
            case "temporal" -> StageSettings.ALL_OFF.withTemporal(TemporalDrop.Config.DEFAULT);
            case "spatial" -> StageSettings.ALL_OFF.withSpatial(SpatialMerge.Config.DEFAULT);
            case "allocation" -> StageSettings.ALL_OFF.withAllocation(AudioGuidedAllocation.Config.DEFAULT);
            case "all" -> StageSettings.DEFAULTS;
            default -> throw new IllegalArgumentException("unknown stage set " + name);
        };
    }

    /**
     * The tower as it was before patch-subset encoding, for comparison: gated per token cell, and every frame with a
     * changed cell goes through the tower whole (so the gate saves only frames with nothing new).
     */
    static FrameEncoder wholeFrames(FrameEncoder tower) {
        return new FrameEncoder() {
            public int inputSize() {
                return tower.inputSize();
            }

            public int gridRows() {
                return tower.gridRows();
            }

            public int gridCols() {
                return tower.gridCols();
            }

            public int dim() {
                return tower.dim();
            }

            public float[][] encode(RgbImage image, boolean[] cells) {
                return tower.encode(image, cells);
            }

            public boolean encodesSubsets() {
                return false;
            }
        };
    }

    /** One frame in; outputs are drained so nothing accumulates. Returns the records that came out. */
    int frame() {
        if (seq % 2 == 0) {
            audio.pipeInput("cam", clip.audio(seq / 2));
        }
        frames.pipeInput("cam", clip.frame(seq++));
        return tokens.readRecordsToList().size();
    }

    @Override
    public void close() throws Exception {
        driver.close();
        if (closeTower != null) {
            closeTower.close();
        }
    }
}
