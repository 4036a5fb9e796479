package dev.sightline.tokenizer;

import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;

/**
 * Builds the tokenizer's Kafka Streams topology (Processor API):
 *
 * <pre>
 * frames --> frame-stages (decode, 1 pixel gate, vision tower, 2 temporal drop, 3 spatial merge) --+
 *                                                                                                  +--> allocation (4) --> tokens
 * audio  --> audio-encode (decode, audio tower) ---------------------------------------------------+
 * events --> stream-events (a stream ENDED or FAILED: flush its waiting frames, delete its state)
 *            (every processor may also send an ErrorRecord to errors)
 * </pre>
 *
 * Sources read raw bytes so a record that does not deserialize becomes an error record instead of stopping the
 * application. Frames, audio and events must be keyed by stream id and have the same number of
 * partitions.
 */
public final class TokenizerTopology {
    static final String STREAM_EVENTS = "stream-events";
    static final String FRAME_STAGES = "frame-stages";
    static final String AUDIO_ENCODE = "audio-encode";
    static final String ALLOCATION = "allocation";
    static final String TOKENS_SINK = "tokens-sink";
    static final String ERRORS_SINK = "errors-sink";

    /** Changelog records of per-stream state may exceed Kafka's 1 MiB default for big grids. */
    static final String CHANGELOG_MAX_MESSAGE_BYTES = Integer.toString(8 * 1024 * 1024);

    private TokenizerTopology() {
    }

    /**
     * @param frameEncoder the vision tower seam; shared by all stream threads, so it must be thread-safe
     * @param audioEncoder the audio tower seam; likewise
     * @param metrics      counters the processors add to
     */
    public static Topology build(TokenizerConfig config, FrameEncoder frameEncoder, AudioEncoder audioEncoder,
                                 TokenizerMetrics metrics) {
        Map<String, String> changelog = Map.of("max.message.bytes", CHANGELOG_MAX_MESSAGE_BYTES);
        Topology t = new Topology();
        t.addSource("frames-source", new StringDeserializer(), new ByteArrayDeserializer(), config.topics().frames());
        t.addSource("audio-source", new StringDeserializer(), new ByteArrayDeserializer(), config.topics().audio());
        t.addSource("events-source", new StringDeserializer(), new ByteArrayDeserializer(), config.topics().events());
        t.addProcessor(STREAM_EVENTS, () -> new StreamEventsProcessor(config, metrics), "events-source");
        t.addProcessor(FRAME_STAGES, () -> new FrameStagesProcessor(config, frameEncoder, metrics), "frames-source",
                STREAM_EVENTS);
        t.addProcessor(AUDIO_ENCODE, () -> new AudioEncodeProcessor(config, audioEncoder, metrics), "audio-source");
        t.addProcessor(ALLOCATION, () -> new AllocationProcessor(config, metrics), FRAME_STAGES, AUDIO_ENCODE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(FrameStagesProcessor.STORE),
                Serdes.String(), VisionState.serde()).withLoggingEnabled(changelog), FRAME_STAGES);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PatchMemory.STORE),
                Serdes.String(), PatchMemory.serde()).withLoggingEnabled(changelog), FRAME_STAGES);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AllocationProcessor.PENDING_STORE),
                Serdes.String(), PendingFrame.serde()).withLoggingEnabled(changelog), ALLOCATION);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AllocationProcessor.TIMELINE_STORE),
                Serdes.String(), AudioTimeline.serde()).withLoggingEnabled(changelog), ALLOCATION);
        t.addSink(TOKENS_SINK, config.topics().tokens(), new StringSerializer(), new TokenBatchSerde().serializer(),
                ALLOCATION);
        t.addSink(ERRORS_SINK, config.topics().errors(), new StringSerializer(),
                SightlineSerdes.errorRecord().serializer(), STREAM_EVENTS, FRAME_STAGES, AUDIO_ENCODE, ALLOCATION);
        return t;
    }
}
