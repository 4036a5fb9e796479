package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A frame's tokens waiting for its window's audio, with the wall-clock time it started waiting. */
record PendingFrame(long arrivedMillis, long recordTimestamp, TokenBatch batch) {

    static Serde<PendingFrame> serde() {
        return Serdes.serdeFrom((topic, p) -> {
            if (p == null) {
                return null;
            }
            byte[] b = TokenBatchSerde.toBytes(p.batch());
            return ByteBuffer.allocate(16 + b.length).putLong(p.arrivedMillis()).putLong(p.recordTimestamp())
                    .put(b).array();
        }, (topic, bytes) -> bytes == null ? null : new PendingFrame(ByteBuffer.wrap(bytes).getLong(),
                ByteBuffer.wrap(bytes).getLong(8), TokenBatchSerde.fromBytes(Arrays.copyOfRange(bytes, 16, bytes.length))));
    }
}
