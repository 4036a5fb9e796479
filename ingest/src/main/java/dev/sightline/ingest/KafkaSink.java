package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.AudioChunkSerde;
import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.JsonSerde;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.VideoFrameSerde;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a stream's records go: the frames, audio, events and errors topics, all keyed by stream id. */
final class KafkaSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    private final Producer<String, byte[]> producer;
    private final TopicNames topics;
    private final int maxValueBytes;
    private final JsonSerde<StreamEvent> events = SightlineSerdes.streamEvent();
    private final JsonSerde<ErrorRecord> errors = SightlineSerdes.errorRecord();

    KafkaSink(Producer<String, byte[]> producer, TopicNames topics, int maxValueBytes) {
        this.producer = producer;
        this.topics = topics;
        this.maxValueBytes = maxValueBytes;
    }

    TopicNames topics() {
        return topics;
    }

    int maxValueBytes() {
        return maxValueBytes;
    }

    /** Thrown (before anything is sent) for a record over the size limit. */
    static final class TooLargeException extends Exception {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** Returns the serialized size. */
    int sendFrame(VideoFrame frame, Callback callback) throws TooLargeException {
        byte[] bytes = VideoFrameSerde.encode(frame);
        if (bytes.length > maxValueBytes) {
            throw new TooLargeException("frame " + frame.sequence() + " at pts " + frame.ptsMicros() + " us is "
                    + bytes.length + " bytes (" + frame.width() + "x" + frame.height() + " " + frame.format()
                    + "), over the " + maxValueBytes + "-byte limit; not sent");
        }
        producer.send(new ProducerRecord<>(topics.frames(), frame.streamId(), bytes), callback);
        return bytes.length;
    }

    int sendChunk(AudioChunk chunk, Callback callback) throws TooLargeException {
        byte[] bytes = AudioChunkSerde.encode(chunk);
        if (bytes.length > maxValueBytes) {
            throw new TooLargeException("audio chunk " + chunk.sequence() + " is " + bytes.length
                    + " bytes, over the " + maxValueBytes + "-byte limit; not sent");
        }
        producer.send(new ProducerRecord<>(topics.audio(), chunk.streamId(), bytes), callback);
        return bytes.length;
    }

    void sendEvent(StreamEvent event) {
        producer.send(new ProducerRecord<>(topics.events(), event.streamId(), events.encode(event)), (md, e) -> {
            if (e != null) {
                LOG.error("could not send event of stream {}: {}", event.streamId(), e.toString());
            }
        });
    }

    void sendError(String streamId, String stage, String reason) {
        ErrorRecord error = new ErrorRecord(stage, -1, -1, streamId, reason, System.currentTimeMillis());
        producer.send(new ProducerRecord<>(topics.errors(), streamId, errors.encode(error)), (md, e) -> {
            if (e != null) {
                LOG.error("could not send error record of stream {}: {}", streamId, e.toString());
            }
        });
    }

    void flush() {
        producer.flush();
    }
}
