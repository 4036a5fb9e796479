package dev.sightline.protocol.tokens;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes on the tokens topic that are not a token batch this reader understands; the message says what is wrong. */
public class TokenBatchFormatException extends SerializationException {
    public TokenBatchFormatException(String message) {
        super(message);
    }
}
