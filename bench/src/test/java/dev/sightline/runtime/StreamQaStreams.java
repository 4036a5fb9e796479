package dev.sightline.runtime;

import dev.sightline.bench.streamqa.Scene;
import dev.sightline.bench.streamqa.StreamQaGenerator;
import dev.sightline.bench.streamqa.StreamQaSpec;
import dev.sightline.model.ImagePreprocessor;
import dev.sightline.model.Model;
import dev.sightline.model.VisionTower;
import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import dev.sightline.tokenizer.AudioEncoder;
import dev.sightline.tokenizer.RgbImage;
import dev.sightline.tokenizer.SmolVlmFrameEncoder;
import dev.sightline.tokenizer.WhisperAudioEncoder;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.PixelFormat;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.tokenizer.StageSettings;
import dev.sightline.tokenizer.TokenizerConfig;
import dev.sightline.tokenizer.TokenizerMetrics;
import dev.sightline.tokenizer.TokenizerTopology;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * StreamQA streams turned into the token batches the runtime consumes, by the tokenizer's own model encoders over
 * the trained checkpoint's towers: each second's frame through {@link SmolVlmFrameEncoder} (SigLIP + pixel-shuffle
 * connector, 16 tokens, no reduction stage), then that second's audio through {@link WhisperAudioEncoder} (log-mel,
 * Whisper encoder, pooling projector, 2 tokens), in that order, as the checkpoint lays seconds out.
 */
final class StreamQaStreams implements AutoCloseable {
    private final Model model;
    private final SmolVlmFrameEncoder frames;
    private final WhisperAudioEncoder audio;
    private final StreamQaGenerator generator = StreamQaGenerator.withBundledClips();

    StreamQaStreams(Path modelDir) {
        this.model = Model.load(modelDir);
        VisionTower tower = model.vision().orElseThrow();
        this.frames = new SmolVlmFrameEncoder(tower, ImagePreprocessor.forTower(tower, modelDir));
        this.audio = new WhisperAudioEncoder(model.audio().orElseThrow(), StreamQaSpec.SAMPLE_RATE);
    }

    /** The batches of {@code scene}, second by second: frame then audio. */
    List<TokenBatch> batches(String streamId, Scene scene) {
        short[] pcm = generator.renderAudio(scene);
        List<TokenBatch> out = new ArrayList<>(2 * scene.frames());
        boolean[] all = new boolean[frames.gridRows() * frames.gridCols()];
        Arrays.fill(all, true);
        for (int s = 0; s < scene.frames(); s++) {
            long pts = s * 1_000_000L;
            byte[] rgb = StreamQaGenerator.renderFrame(scene, s);
            float[] px = new float[rgb.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = (rgb[i] & 0xFF) / 255f;
            }
            float[][] cells = frames.encode(new RgbImage(StreamQaSpec.SIZE, StreamQaSpec.SIZE, px), all);
            List<Token> video = new ArrayList<>(cells.length);
            for (int c = 0; c < cells.length; c++) {
                video.add(new Token(cells[c], c / frames.gridCols(), c % frames.gridCols(), s, pts, 1));
            }
            out.add(new TokenBatch(streamId, s, pts, pts + 1_000_000, TokenModality.VIDEO, frames.gridRows(),
                    frames.gridCols(), cells.length, frames.dim(), video));

            float[] chunk = new float[StreamQaSpec.SAMPLE_RATE];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = pcm[s * StreamQaSpec.SAMPLE_RATE + i] / 32768f;
            }
            AudioEncoder.AudioEncoding enc = audio.encode(chunk, pts);
            List<Token> sound = new ArrayList<>(enc.size());
            for (int i = 0; i < enc.size(); i++) {
                sound.add(new Token(enc.embeddings()[i], -1, -1, s, enc.ptsMicros()[i], 1));
            }
            out.add(new TokenBatch(streamId, s, pts, pts + 1_000_000, TokenModality.AUDIO, 0, 0, sound.size(),
                    audio.dim(), sound));
        }
        return out;
    }

    /**
     * The batches of {@code scene} as the tokenizer's own Kafka Streams topology makes them (a
     * {@link TopologyTestDriver} over {@link TokenizerTopology} with these encoders and {@code stages}): each
     * second's frame (RGB, as ingest publishes it) then its audio chunk go in; the token batches come out in the
     * order the topology emits them.
     */
    List<TokenBatch> batchesThroughTokenizer(String streamId, Scene scene, StageSettings stages) {
        TopicNames topics = TopicNames.defaults();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamqa-tokenizer");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        TokenizerConfig config = TokenizerConfig.standard().withTopics(topics).withDefaults(stages);
        short[] pcm = generator.renderAudio(scene);
        try (TopologyTestDriver driver = new TopologyTestDriver(TokenizerTopology.build(config, frames, audio,
                new TokenizerMetrics()), p)) {
            var frameIn = driver.createInputTopic(topics.frames(), new StringSerializer(),
                    SightlineSerdes.videoFrame().serializer());
            var audioIn = driver.createInputTopic(topics.audio(), new StringSerializer(),
                    SightlineSerdes.audioChunk().serializer());
            var out = driver.createOutputTopic(topics.tokens(), new StringDeserializer(),
                    new TokenBatchSerde().deserializer());
            var errors = driver.createOutputTopic(topics.errors(), new StringDeserializer(),
                    SightlineSerdes.errorRecord().deserializer());
            for (int s = 0; s < scene.frames(); s++) {
                long pts = s * 1_000_000L;
                frameIn.pipeInput(streamId, new VideoFrame(streamId, s, pts, 0, StreamQaSpec.SIZE, StreamQaSpec.SIZE,
                        PixelFormat.RGB24, StreamQaGenerator.renderFrame(scene, s)));
                short[] second = Arrays.copyOfRange(pcm, s * StreamQaSpec.SAMPLE_RATE,
                        (s + 1) * StreamQaSpec.SAMPLE_RATE);
                audioIn.pipeInput(streamId, new AudioChunk(streamId, s, pts, StreamQaSpec.SAMPLE_RATE, 1, second));
            }
            driver.advanceWallClockTime(java.time.Duration.ofMinutes(1));   // frames still waiting for audio go out
            if (!errors.isEmpty()) {
                throw new IllegalStateException("the tokenizer reported " + errors.readValuesToList());
            }
            return out.readValuesToList();
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
