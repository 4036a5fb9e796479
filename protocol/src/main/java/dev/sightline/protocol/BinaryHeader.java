package dev.sightline.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The header every binary Sightline record starts with: a 4-byte magic number naming the record type and a
 * 2-byte schema version (both big-endian). A reader that meets another type's bytes, random bytes or a newer
 * version than it knows fails on the first six bytes with a clear reason instead of misreading the rest.
 *
 * <p>Magic numbers in use: {@code SLVF} video frames, {@code SLAU} audio chunks. Other binary records (token
 * batches) pick their own four ASCII letters starting with {@code SL}.
 */
public final class BinaryHeader {
    /** Bytes taken by magic and version. */
    public static final int SIZE = Integer.BYTES + Short.BYTES;

    private BinaryHeader() {
    }

    /** Four ASCII letters as a magic number, e.g. {@code magic("SLVF")}. */
    public static int magic(String fourLetters) {
        byte[] b = fourLetters.getBytes(StandardCharsets.US_ASCII);
        if (b.length != 4) {
            throw new IllegalArgumentException("a magic number is exactly 4 ASCII letters: " + fourLetters);
        }
        return ByteBuffer.wrap(b).getInt();
    }

    /** The magic number as text for messages; non-printable bytes as hex. */
    public static String describe(int magic) {
        StringBuilder sb = new StringBuilder();
        boolean printable = true;
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (magic >>> shift) & 0xFF;
            if (c < 0x20 || c > 0x7E) {
                printable = false;
            }
            sb.append((char) c);
        }
        return printable ? "'" + sb + "'" : String.format("0x%08X", magic);
    }

    public static void write(ByteBuffer out, int magic, int version) {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("schema version out of range: " + version);
        }
        out.putInt(magic);
        out.putShort((short) version);
    }

    /**
     * Reads and checks the header; returns the version, which lies in {@code [minVersion, maxVersion]}.
     *
     * @throws BadRecordException when the bytes are too short, the magic differs or the version is unsupported
     */
    public static int read(ByteBuffer in, int expectedMagic, int minVersion, int maxVersion, String recordType) {
        if (in.remaining() < SIZE) {
            throw new BadRecordException(recordType,
                    "truncated header: " + in.remaining() + " bytes, need at least " + SIZE);
        }
        int magic = in.getInt();
        if (magic != expectedMagic) {
            throw new BadRecordException(recordType,
                    "bad magic " + describe(magic) + ", expected " + describe(expectedMagic));
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version < minVersion || version > maxVersion) {
            throw new BadRecordException(recordType, "unsupported schema version " + version
                    + " (this reader knows " + minVersion + ".." + maxVersion + ")");
        }
        return version;
    }
}
