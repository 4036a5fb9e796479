package dev.sightline.protocol.tokens;

import dev.sightline.protocol.BadRecordException;
import dev.sightline.protocol.BinaryHeader;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary, versioned wire format of {@link TokenBatch}. Big-endian:
 *
 * <pre>
 * magic "SLTB" (4) | version u16 (=1) (the shared {@link BinaryHeader}) | modality u8 | streamId u16 length + UTF-8
 * sequence i64 | ptsStart i64 | ptsEnd i64 | gridRows u16 | gridCols u16 | sourceTokens i32 | dim i32 | count i32
 * per token: row i16 | col i16 | frameIndex i64 | pts i64 | mergedSize i32 | dim x F16 embedding
 * </pre>
 *
 * Embeddings travel as IEEE half floats: they halve the bytes and the model's towers already compute in reduced
 * precision. Any malformed input fails with a {@link BadRecordException} (record type {@code TokenBatch}) naming the problem.
 */
public final class TokenBatchSerde implements Serde<TokenBatch> {

    /** "SLTB": SightLine Token Batch. */
    public static final int MAGIC = BinaryHeader.magic("SLTB");
    static final String RECORD_TYPE = "TokenBatch";
    public static final int VERSION = 1;
    static final int HEADER_FIXED_BYTES = BinaryHeader.SIZE + 1 + 2 + 8 + 8 + 8 + 2 + 2 + 4 + 4 + 4;
    static final int TOKEN_FIXED_BYTES = 2 + 2 + 8 + 8 + 4;

    @Override
    public Serializer<TokenBatch> serializer() {
        return (topic, batch) -> batch == null ? null : toBytes(batch);
    }

    @Override
    public Deserializer<TokenBatch> deserializer() {
        return (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
    }

    public static byte[] toBytes(TokenBatch b) {
        byte[] id = b.streamId().getBytes(StandardCharsets.UTF_8);
        if (id.length > 0xFFFF) {
            throw new IllegalArgumentException("stream id is " + id.length + " UTF-8 bytes; the limit is 65535");
        }
        if (b.gridRows() > 0xFFFF || b.gridCols() > 0xFFFF) {
            throw new IllegalArgumentException("token grid " + b.gridRows() + "x" + b.gridCols() + " exceeds 65535");
        }
        long size = HEADER_FIXED_BYTES + id.length + (long) b.tokens().size() * (TOKEN_FIXED_BYTES + 2L * b.dim());
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("token batch of " + size + " bytes is too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
        BinaryHeader.write(out, MAGIC, VERSION);
        out.put((byte) b.modality().code());
        out.putShort((short) id.length).put(id);
        out.putLong(b.sequence()).putLong(b.ptsStartMicros()).putLong(b.ptsEndMicros());
        out.putShort((short) b.gridRows()).putShort((short) b.gridCols());
        out.putInt(b.sourceTokens()).putInt(b.dim()).putInt(b.tokens().size());
        for (Token t : b.tokens()) {
            if (t.patchRow() > Short.MAX_VALUE || t.patchCol() > Short.MAX_VALUE) {
                throw new IllegalArgumentException("patch row/col " + t.patchRow() + "/" + t.patchCol() + " exceeds 32767");
            }
            out.putShort((short) t.patchRow()).putShort((short) t.patchCol());
            out.putLong(t.frameIndex()).putLong(t.ptsMicros()).putInt(t.mergedSize());
            for (float v : t.embedding()) {
                out.putShort(Float.floatToFloat16(v));
            }
        }
        return out.array();
    }

    public static TokenBatch fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        try {
            BinaryHeader.read(in, MAGIC, VERSION, VERSION, RECORD_TYPE);
            int modalityCode = in.get() & 0xFF;
            TokenModality modality;
            try {
                modality = TokenModality.fromCode(modalityCode);
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
            int idLen = in.getShort() & 0xFFFF;
            byte[] id = new byte[idLen];
            in.get(id);
            long sequence = in.getLong();
            long ptsStart = in.getLong();
            long ptsEnd = in.getLong();
            int gridRows = in.getShort() & 0xFFFF;
            int gridCols = in.getShort() & 0xFFFF;
            int sourceTokens = in.getInt();
            int dim = in.getInt();
            int count = in.getInt();
            if (dim < 1 || count < 0) {
                throw bad("dim " + dim + " / count " + count + " out of range");
            }
            long need = (long) count * (TOKEN_FIXED_BYTES + 2L * dim);
            if (need != in.remaining()) {
                throw bad(count + " tokens of dim " + dim + " need " + need
                        + " bytes after the header, found " + in.remaining());
            }
            List<Token> tokens = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int row = in.getShort();
                int col = in.getShort();
                long frameIndex = in.getLong();
                long pts = in.getLong();
                int mergedSize = in.getInt();
                float[] e = new float[dim];
                for (int d = 0; d < dim; d++) {
                    e[d] = Float.float16ToFloat(in.getShort());
                }
                tokens.add(new Token(e, row, col, frameIndex, pts, mergedSize));
            }
            return new TokenBatch(new String(id, StandardCharsets.UTF_8), sequence, ptsStart, ptsEnd, modality,
                    gridRows, gridCols, sourceTokens, dim, tokens);
        } catch (BufferUnderflowException e) {
            throw bad("truncated at byte " + in.position() + " of " + bytes.length);
        } catch (IllegalArgumentException e) {
            throw bad("invalid content: " + e.getMessage());
        }
    }

    private static BadRecordException bad(String reason) {
        return new BadRecordException(RECORD_TYPE, reason);
    }
}
