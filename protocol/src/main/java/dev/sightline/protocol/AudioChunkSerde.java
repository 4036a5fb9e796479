package dev.sightline.protocol;

import org.apache.kafka.common.serialization.Serdes;

/**
 * Binary serde for {@link AudioChunk}. Layout, version 1 (numbers big-endian, samples little-endian s16 as in
 * PCM s16le files):
 * <pre>
 *   magic 'SLAU' (4) | version u16 | stream id (u16 length + UTF-8) | sequence i64 | start pts µs i64 |
 *   sample rate i32 | channels u8 | sample count i32 | samples (count * 2 bytes)
 * </pre>
 */
public final class AudioChunkSerde extends Serdes.WrapperSerde<AudioChunk> {
    public static final String RECORD_TYPE = "AudioChunk";
    public static final int MAGIC = BinaryHeader.magic("SLAU");
    public static final int VERSION = 1;

    public AudioChunkSerde() {
        super((topic, chunk) -> chunk == null ? null : encode(chunk),
                (topic, bytes) -> bytes == null ? null : decode(bytes));
    }

    public static int encodedSize(AudioChunk c) {
        return BinaryHeader.SIZE + BinaryWriter.stringSize(c.streamId()) + 8 * 2 + 4 + 1 + 4 + c.samples().length * 2;
    }

    public static byte[] encode(AudioChunk c) {
        return new BinaryWriter(encodedSize(c))
                .header(MAGIC, VERSION)
                .writeString(c.streamId())
                .writeLong(c.sequence())
                .writeLong(c.startPtsMicros())
                .writeInt(c.sampleRate())
                .writeByte(c.channels())
                .writeInt(c.samples().length)
                .writeShortsLittleEndian(c.samples())
                .toBytes();
    }

    /** @throws BadRecordException naming what was wrong */
    public static AudioChunk decode(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes, RECORD_TYPE);
        r.header(MAGIC, VERSION, VERSION);
        String streamId = r.readString("stream id", VideoFrame.MAX_STREAM_ID_BYTES);
        long sequence = r.readLong("sequence");
        long start = r.readLong("start pts");
        int rate = r.readInt("sample rate", 1, AudioChunk.MAX_SAMPLE_RATE);
        int channels = r.readByte("channels");
        if (channels < 1 || channels > AudioChunk.MAX_CHANNELS) {
            throw r.fail("'channels' = " + channels + " outside [1, " + AudioChunk.MAX_CHANNELS + "]");
        }
        int count = r.readInt("sample count", 0, Integer.MAX_VALUE / 2);
        if (count * 2 != r.remaining()) {
            throw r.fail("sample count says " + count + " samples (" + count * 2L + " bytes) but " + r.remaining()
                    + " bytes follow");
        }
        short[] samples = r.readShortsLittleEndian("samples", count);
        r.expectEnd();
        try {
            return new AudioChunk(streamId, sequence, start, rate, channels, samples);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
    }
}
