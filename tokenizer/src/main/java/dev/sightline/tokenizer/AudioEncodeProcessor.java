package dev.sightline.tokenizer;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.util.ArrayList;
import java.util.List;

/** Per audio chunk: decode, downmix/resample, the audio tower; tokens and saliences go to the allocation stage. */
final class AudioEncodeProcessor implements Processor<String, byte[], String, Object> {

    private final TokenizerConfig config;
    private final AudioEncoder encoder;
    private final TokenizerMetrics metrics;
    private final Deserializer<AudioChunk> chunks = SightlineSerdes.audioChunk().deserializer();
    private ProcessorContext<String, Object> ctx;

    AudioEncodeProcessor(TokenizerConfig config, AudioEncoder encoder, TokenizerMetrics metrics) {
        this.config = config;
        this.encoder = encoder;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        ctx = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        metrics.audioChunksIn.increment();
        String topic = config.topics().audio();
        AudioChunk chunk;
        try {
            chunk = chunks.deserialize(topic, record.value());
            if (chunk == null) {
                ErrorReporter.report(ctx, metrics, topic, record.key(), "empty audio record (tombstone) on the audio topic");
                return;
            }
        } catch (RuntimeException e) {
            ErrorReporter.report(ctx, metrics, topic, record.key(), e.getMessage());
            return;
        }
        if (record.key() != null && !record.key().equals(chunk.streamId())) {
            ErrorReporter.report(ctx, metrics, topic, record.key(), "audio chunk #" + chunk.sequence() + " of stream '"
                    + chunk.streamId() + "' arrived under key '" + record.key() + "'; audio must be keyed by stream id");
            return;
        }
        AudioEncoder.AudioEncoding enc;
        try {
            enc = encoder.encode(AudioDecoder.decode(chunk, encoder.sampleRate()), chunk.startPtsMicros());
        } catch (RuntimeException e) {
            ErrorReporter.report(ctx, metrics, topic, chunk.streamId(),
                    "audio chunk #" + chunk.sequence() + ": audio encoder failed: " + e);
            return;
        }
        List<Token> tokens = new ArrayList<>(enc.size());
        for (int i = 0; i < enc.size(); i++) {
            tokens.add(new Token(enc.embeddings()[i], -1, -1, chunk.sequence(), enc.ptsMicros()[i], 1));
        }
        TokenBatch batch = new TokenBatch(chunk.streamId(), chunk.sequence(), chunk.startPtsMicros(),
                chunk.endPtsMicros(), TokenModality.AUDIO, 0, 0, enc.size(), encoder.dim(), tokens);
        ctx.forward(new Record<String, Object>(chunk.streamId(), new EncodedAudio(batch, enc.salience()),
                record.timestamp()), TokenizerTopology.ALLOCATION);
    }
}
