package dev.sightline.protocol;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One place to get the serde of every record on Sightline's topics. Keys are stream ids as UTF-8 strings. */
public final class SightlineSerdes {
    private SightlineSerdes() {
    }

    public static Serde<String> streamKey() {
        return Serdes.String();
    }

    public static Serde<VideoFrame> videoFrame() {
        return new VideoFrameSerde();
    }

    public static Serde<AudioChunk> audioChunk() {
        return new AudioChunkSerde();
    }

    public static JsonSerde<StreamEvent> streamEvent() {
        return new JsonSerde<>(StreamEvent.class);
    }

    public static JsonSerde<Query> query() {
        return new JsonSerde<>(Query.class);
    }

    public static JsonSerde<Answer> answer() {
        return new JsonSerde<>(Answer.class);
    }

    public static JsonSerde<ErrorRecord> errorRecord() {
        return new JsonSerde<>(ErrorRecord.class);
    }
}
