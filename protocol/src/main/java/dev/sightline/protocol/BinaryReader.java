package dev.sightline.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked reader over one binary record. Every read names the field it reads, so a truncated or
 * inconsistent record fails with e.g. {@code bad VideoFrame record: truncated at 'data': need 3000 bytes, 12 left}
 * rather than an {@link BufferUnderflowException} without context. Big-endian unless told otherwise.
 */
public final class BinaryReader {
    private final ByteBuffer in;
    private final String recordType;

    public BinaryReader(byte[] bytes, String recordType) {
        if (bytes == null) {
            throw new BadRecordException(recordType, "null bytes");
        }
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        this.recordType = recordType;
    }

    public String recordType() {
        return recordType;
    }

    /** Checks magic and version (see {@link BinaryHeader}); returns the version. */
    public int header(int magic, int minVersion, int maxVersion) {
        return BinaryHeader.read(in, magic, minVersion, maxVersion, recordType);
    }

    public int remaining() {
        return in.remaining();
    }

    private void need(int bytes, String field) {
        if (in.remaining() < bytes) {
            throw fail("truncated at '" + field + "': need " + bytes + " bytes, " + in.remaining() + " left");
        }
    }

    public byte readByte(String field) {
        need(1, field);
        return in.get();
    }

    public int readUnsignedShort(String field) {
        need(2, field);
        return Short.toUnsignedInt(in.getShort());
    }

    public int readInt(String field) {
        need(4, field);
        return in.getInt();
    }

    public long readLong(String field) {
        need(8, field);
        return in.getLong();
    }

    /** An int that must lie in {@code [min, max]}. */
    public int readInt(String field, int min, int max) {
        int v = readInt(field);
        if (v < min || v > max) {
            throw fail("'" + field + "' = " + v + " outside [" + min + ", " + max + "]");
        }
        return v;
    }

    /** A string written by {@link BinaryWriter#writeString}: u16 length then UTF-8, at most maxBytes. */
    public String readString(String field, int maxBytes) {
        int len = readUnsignedShort(field + " length");
        if (len > maxBytes) {
            throw fail("'" + field + "' is " + len + " bytes, limit " + maxBytes);
        }
        need(len, field);
        ByteBuffer slice = in.slice(in.position(), len);
        in.position(in.position() + len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw fail("'" + field + "' is not valid UTF-8");
        }
    }

    /** Exactly {@code length} bytes. */
    public byte[] readBytes(String field, int length) {
        if (length < 0) {
            throw fail("negative length " + length + " for '" + field + "'");
        }
        need(length, field);
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    /** {@code count} 16-bit little-endian samples (PCM s16le). */
    public short[] readShortsLittleEndian(String field, int count) {
        if (count < 0 || count > Integer.MAX_VALUE / 2) {
            throw fail("bad count " + count + " for '" + field + "'");
        }
        need(count * 2, field);
        short[] out = new short[count];
        in.slice(in.position(), count * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        in.position(in.position() + count * 2);
        return out;
    }

    /** Fails if bytes are left over: trailing garbage means the writer and reader disagree on the layout. */
    public void expectEnd() {
        if (in.hasRemaining()) {
            throw fail(in.remaining() + " unexpected trailing bytes");
        }
    }

    public BadRecordException fail(String reason) {
        return new BadRecordException(recordType, reason);
    }
}
