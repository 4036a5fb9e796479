package dev.sightline.bench.streamqa;

import dev.sightline.model.ImagePreprocessor;
import dev.sightline.model.Model;
import dev.sightline.model.VisionTower;
import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.tokenizer.SmolVlmFrameEncoder;
import dev.sightline.tokenizer.StageSettings;
import dev.sightline.tokenizer.TokenizerConfig;
import dev.sightline.tokenizer.TokenizerMetrics;
import dev.sightline.tokenizer.TokenizerTopology;
import dev.sightline.tokenizer.WhisperAudioEncoder;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Turns evaluation streams into what the decoder receives, along the deployed path: each second's frame is
 * JPEG-encoded as ingest publishes it ({@link IngestJpeg}) and goes with that second's 16 kHz audio into the
 * tokenizer's own Kafka Streams topology ({@link TokenizerTopology}, run by a {@link TopologyTestDriver}, so no
 * broker) whose encoders are the checkpoint's towers; its stages are all off, or at the tokenizer's defaults.
 * Not thread-safe (one per thread).
 */
final class EvalStreams implements AutoCloseable {
    private final SmolVlmFrameEncoder frameEncoder;
    private final WhisperAudioEncoder audioEncoder;
    private final StreamQaGenerator generator = StreamQaGenerator.withBundledClips();
    private final IngestJpeg jpeg;

    EvalStreams(Model model, java.nio.file.Path modelDir, int jpegQuality) {
        VisionTower tower = model.vision().orElseThrow(
                () -> new IllegalArgumentException(modelDir + " has no vision tower"));
        this.frameEncoder = new SmolVlmFrameEncoder(tower, ImagePreprocessor.forTower(tower, modelDir));
        this.audioEncoder = new WhisperAudioEncoder(model.audio().orElseThrow(
                () -> new IllegalArgumentException(modelDir + " has no audio tower")), StreamQaSpec.SAMPLE_RATE);
        if (frameEncoder.gridRows() * frameEncoder.gridCols() != StreamQaSpec.IMAGE_TOKENS_PER_FRAME) {
            throw new IllegalArgumentException("the model's vision tower gives " + frameEncoder.gridRows() + "x"
                    + frameEncoder.gridCols() + " tokens a frame; StreamQA frames have "
                    + StreamQaSpec.IMAGE_TOKENS_PER_FRAME);
        }
        this.jpeg = new IngestJpeg(jpegQuality);
    }

    /** Evaluation stream {@code index}, {@code frames} seconds long, through the tokenizer with or without stages. */
    EvalStream make(int index, int frames, boolean stages) {
        Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(index), frames);
        String streamId = "streamqa-" + index;
        TopicNames topics = TopicNames.defaults();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamqa-eval");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        TokenizerConfig config = TokenizerConfig.standard().withTopics(topics)
                .withDefaults(stages ? StageSettings.DEFAULTS : StageSettings.ALL_OFF);
        short[] pcm = generator.renderAudio(scene);
        TokenizerMetrics metrics = new TokenizerMetrics();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                TokenizerTopology.build(config, frameEncoder, audioEncoder, metrics), p)) {
            var frameIn = driver.createInputTopic(topics.frames(), new StringSerializer(),
                    SightlineSerdes.videoFrame().serializer());
            var audioIn = driver.createInputTopic(topics.audio(), new StringSerializer(),
                    SightlineSerdes.audioChunk().serializer());
            var out = driver.createOutputTopic(topics.tokens(), new StringDeserializer(),
                    new TokenBatchSerde().deserializer());
            var errors = driver.createOutputTopic(topics.errors(), new StringDeserializer(),
                    SightlineSerdes.errorRecord().deserializer());
            for (int s = 0; s < frames; s++) {
                long pts = s * 1_000_000L;
                byte[] data = jpeg.encode(StreamQaGenerator.renderFrame(scene, s), StreamQaSpec.SIZE,
                        StreamQaSpec.SIZE);
                frameIn.pipeInput(streamId, new VideoFrame(streamId, s, pts, 0, StreamQaSpec.SIZE, StreamQaSpec.SIZE,
                        PixelFormat.JPEG, data));
                short[] second = Arrays.copyOfRange(pcm, s * StreamQaSpec.SAMPLE_RATE,
                        (s + 1) * StreamQaSpec.SAMPLE_RATE);
                audioIn.pipeInput(streamId, new AudioChunk(streamId, s, pts, StreamQaSpec.SAMPLE_RATE, 1, second));
            }
            driver.advanceWallClockTime(Duration.ofMinutes(1));   // frames still waiting for their audio go out
            if (!errors.isEmpty()) {
                throw new IllegalStateException("the tokenizer reported errors on stream " + index + ": "
                        + errors.readValuesToList());
            }
            List<TokenBatch> batches = out.readValuesToList();
            long source = 0;
            long kept = 0;
            for (TokenBatch b : batches) {
                source += b.sourceTokens();
                kept += b.tokens().size();
            }
            return new EvalStream(index, frames, stages, Questions.evaluation(scene, index), batches, source, kept);
        }
    }

    @Override
    public void close() {
        jpeg.close();
    }
}
