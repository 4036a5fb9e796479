package dev.sightline.protocol.tokens;

import dev.sightline.protocol.BadRecordException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBatchSerdeTest {

    private static TokenBatch videoBatch() {
        // Values exactly representable in F16 so the round trip is exact.
        Token a = new Token(new float[]{0.5f, -1.25f, 3f}, 0, 1, 7, 700_000, 1);
        Token b = new Token(new float[]{0f, 2f, -0.125f}, 1, 0, 7, 700_000, 3);
        return new TokenBatch("cam-1", 7, 700_000, 733_333, TokenModality.VIDEO, 2, 2, 4, 3, List.of(a, b));
    }

    @Test
    void videoBatchRoundTripsExactly() {
        TokenBatchSerde serde = new TokenBatchSerde();
        byte[] bytes = serde.serializer().serialize("tokens", videoBatch());
        TokenBatch back = serde.deserializer().deserialize("tokens", bytes);
        assertThat(back).isEqualTo(videoBatch());
        assertThat(back.representedTokens()).isEqualTo(4);
        assertThat(bytes.length).isEqualTo(TokenBatchSerde.HEADER_FIXED_BYTES + 5 + 2 * (TokenBatchSerde.TOKEN_FIXED_BYTES + 6));
    }

    @Test
    void audioBatchAndEmptyBatchRoundTrip() {
        Token t = new Token(new float[]{1f, 2f}, -1, -1, 3, 6_040_000, 2);
        TokenBatch audio = new TokenBatch("mic-é", 3, 6_000_000, 8_000_000, TokenModality.AUDIO, 0, 0, 50, 2, List.of(t));
        assertThat(TokenBatchSerde.fromBytes(TokenBatchSerde.toBytes(audio))).isEqualTo(audio);
        TokenBatch empty = new TokenBatch("cam", 9, 0, 0, TokenModality.VIDEO, 4, 4, 16, 8, List.of());
        assertThat(TokenBatchSerde.fromBytes(TokenBatchSerde.toBytes(empty))).isEqualTo(empty);
    }

    @Test
    void embeddingsAreRoundedToHalfPrecision() {
        float v = 0.1f;
        Token t = new Token(new float[]{v}, 0, 0, 0, 0, 1);
        TokenBatch b = new TokenBatch("s", 0, 0, 0, TokenModality.VIDEO, 1, 1, 1, 1, List.of(t));
        float back = TokenBatchSerde.fromBytes(TokenBatchSerde.toBytes(b)).tokens().getFirst().embedding()[0];
        assertThat(back).isNotEqualTo(v).isCloseTo(v, org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void nullPassesThrough() {
        TokenBatchSerde serde = new TokenBatchSerde();
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void badMagicIsNamed() {
        byte[] bytes = TokenBatchSerde.toBytes(videoBatch());
        bytes[0] = 'X';
        assertThatThrownBy(() -> TokenBatchSerde.fromBytes(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("bad magic");
    }

    @Test
    void unknownVersionIsNamed() {
        byte[] bytes = TokenBatchSerde.toBytes(videoBatch());
        bytes[5] = 9;
        assertThatThrownBy(() -> TokenBatchSerde.fromBytes(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("unsupported schema version 9");
    }

    @Test
    void unknownModalityIsNamed() {
        byte[] bytes = TokenBatchSerde.toBytes(videoBatch());
        bytes[6] = 42;
        assertThatThrownBy(() -> TokenBatchSerde.fromBytes(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("modality code 42");
    }

    @Test
    void truncatedAndTrailingBytesAreRejected() {
        byte[] bytes = TokenBatchSerde.toBytes(videoBatch());
        for (int cut : new int[]{0, 3, 6, 7, 20, bytes.length - 1}) {
            byte[] shorter = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> TokenBatchSerde.fromBytes(shorter))
                    .as("cut at %d", cut).isInstanceOf(BadRecordException.class);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> TokenBatchSerde.fromBytes(longer))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("found");
    }

    @Test
    void invalidContentIsRejectedWithTheReason() {
        byte[] bytes = TokenBatchSerde.toBytes(videoBatch());
        // mergedSize of the first token lives after magic..count header, id and row/col/frame/pts.
        int firstToken = TokenBatchSerde.HEADER_FIXED_BYTES + "cam-1".length();
        ByteBuffer.wrap(bytes).putInt(firstToken + 2 + 2 + 8 + 8, 0);
        assertThatThrownBy(() -> TokenBatchSerde.fromBytes(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("mergedSize");
        byte[] outside = TokenBatchSerde.toBytes(videoBatch());
        ByteBuffer.wrap(outside).putShort(firstToken, (short) 5);
        assertThatThrownBy(() -> TokenBatchSerde.fromBytes(outside))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("outside the 2x2 grid");
    }

    @Test
    void constructorRejectsInconsistentBatches() {
        Token wide = new Token(new float[]{1, 2, 3, 4}, 0, 0, 0, 0, 1);
        assertThatThrownBy(() -> new TokenBatch("s", 0, 0, 0, TokenModality.VIDEO, 1, 1, 1, 3, List.of(wide)))
                .hasMessageContaining("has dim 4, batch dim is 3");
        assertThatThrownBy(() -> new TokenBatch("", 0, 0, 0, TokenModality.VIDEO, 1, 1, 1, 3, List.of()))
                .hasMessageContaining("stream id");
        assertThatThrownBy(() -> new TokenBatch("s", 0, 5, 4, TokenModality.VIDEO, 1, 1, 1, 3, List.of()))
                .hasMessageContaining("backwards");
    }
}
