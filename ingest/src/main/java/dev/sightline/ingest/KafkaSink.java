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

    /** What happens when Kafka acknowledges or refuses a record (called on the producer's I/O thread). */
    interface Ack {
        void delivered(int bytes);

        void failed(Exception e);
    }

    /** Thrown (before anything is sent) for a record over the size limit. */
    static final class TooLargeException extends Exception {
        TooLargeException(String message) {
            super(message);
        }
    }

    void sendFrame(VideoFrame frame, Ack ack) throws TooLargeException {
        byte[] bytes = VideoFrameSerde.encode(frame);
        if (bytes.length > maxValueBytes) {
            throw new TooLargeException("frame " + frame.sequence() + " at pts " + frame.ptsMicros() + " us is "
                    + bytes.length + " bytes (" + frame.width() + "x" + frame.height() + " " + frame.format()
                    + "), over the " + maxValueBytes + "-byte limit; not sent");
        }
        send(topics.frames(), frame.streamId(), bytes, ack);
    }

    void sendChunk(AudioChunk chunk, Ack ack) throws TooLargeException {
        byte[] bytes = AudioChunkSerde.encode(chunk);
        if (bytes.length > maxValueBytes) {
            throw new TooLargeException("audio chunk " + chunk.sequence() + " is " + bytes.length
                    + " bytes, over the " + maxValueBytes + "-byte limit; not sent");
        }
        send(topics.audio(), chunk.streamId(), bytes, ack);
    }

    private void send(String topic, String key, byte[] bytes, Ack ack) {
        producer.send(new ProducerRecord<>(topic, key, bytes), (metadata, e) -> {
            if (e == null) {
                ack.delivered(bytes.length);
            } else {
                ack.failed(e);
            }
        });
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
