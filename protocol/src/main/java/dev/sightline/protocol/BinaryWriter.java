package dev.sightline.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes the layouts {@link BinaryReader} reads: header, big-endian numbers, u16-length UTF-8 strings. */
public final class BinaryWriter {
    private final ByteBuffer out;

    /** @param capacity the exact record size; {@link #toBytes()} checks it was filled */
    public BinaryWriter(int capacity) {
        this.out = ByteBuffer.allocate(capacity).order(ByteOrder.BIG_ENDIAN);
    }

    /** Bytes a string takes: 2 for its length plus its UTF-8 bytes. */
    public static int stringSize(String s) {
        return 2 + utf8(s).length;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public BinaryWriter header(int magic, int version) {
        BinaryHeader.write(out, magic, version);
        return this;
    }

    public BinaryWriter writeByte(int v) {
        out.put((byte) v);
        return this;
    }

    public BinaryWriter writeInt(int v) {
        out.putInt(v);
        return this;
    }

    public BinaryWriter writeLong(long v) {
        out.putLong(v);
        return this;
    }

    public BinaryWriter writeString(String s) {
        byte[] b = utf8(s);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes");
        }
        out.putShort((short) b.length);
        out.put(b);
        return this;
    }

    public BinaryWriter writeBytes(byte[] b) {
        out.put(b);
        return this;
    }

    public BinaryWriter writeShortsLittleEndian(short[] samples) {
        ByteBuffer le = out.slice(out.position(), samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        le.asShortBuffer().put(samples);
        out.position(out.position() + samples.length * 2);
        return this;
    }

    public byte[] toBytes() {
        if (out.hasRemaining()) {
            throw new IllegalStateException("record layout wrote " + out.position() + " of " + out.capacity() + " bytes");
        }
        return out.array();
    }
}
