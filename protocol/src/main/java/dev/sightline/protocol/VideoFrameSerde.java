package dev.sightline.protocol;

import org.apache.kafka.common.serialization.Serdes;

/**
 * Binary serde for {@link VideoFrame}. Layout (big-endian), version 1:
 * <pre>
 *   magic 'SLVF' (4) | version u16 | stream id (u16 length + UTF-8) | sequence i64 | pts µs i64 |
 *   capture ms i64 | width i32 | height i32 | pixel format u8 | data length i32 | data
 * </pre>
 * Decoding checks every length against what is left, the dimensions, the pixel format and that nothing trails.
 */
public final class VideoFrameSerde extends Serdes.WrapperSerde<VideoFrame> {
    public static final String RECORD_TYPE = "VideoFrame";
    public static final int MAGIC = BinaryHeader.magic("SLVF");
    public static final int VERSION = 1;

    public VideoFrameSerde() {
        super((topic, frame) -> frame == null ? null : encode(frame),
                (topic, bytes) -> bytes == null ? null : decode(bytes));
    }

    /** Size of the encoded record. */
    public static int encodedSize(VideoFrame f) {
        return BinaryHeader.SIZE + BinaryWriter.stringSize(f.streamId()) + 8 * 3 + 4 * 2 + 1 + 4 + f.data().length;
    }

    public static byte[] encode(VideoFrame f) {
        return new BinaryWriter(encodedSize(f))
                .header(MAGIC, VERSION)
                .writeString(f.streamId())
                .writeLong(f.sequence())
                .writeLong(f.ptsMicros())
                .writeLong(f.captureTimeMillis())
                .writeInt(f.width())
                .writeInt(f.height())
                .writeByte(f.format().code())
                .writeInt(f.data().length)
                .writeBytes(f.data())
                .toBytes();
    }

    /** @throws BadRecordException naming what was wrong */
    public static VideoFrame decode(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes, RECORD_TYPE);
        r.header(MAGIC, VERSION, VERSION);
        String streamId = r.readString("stream id", VideoFrame.MAX_STREAM_ID_BYTES);
        long sequence = r.readLong("sequence");
        long pts = r.readLong("pts");
        long capture = r.readLong("capture time");
        int width = r.readInt("width", 1, VideoFrame.MAX_DIMENSION);
        int height = r.readInt("height", 1, VideoFrame.MAX_DIMENSION);
        int formatCode = r.readByte("pixel format");
        PixelFormat format;
        try {
            format = PixelFormat.fromCode(formatCode);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
        int length = r.readInt("data length", 0, Integer.MAX_VALUE);
        if (length != r.remaining()) {
            throw r.fail("data length says " + length + " bytes but " + r.remaining() + " follow");
        }
        byte[] data = r.readBytes("data", length);
        r.expectEnd();
        try {
            return new VideoFrame(streamId, sequence, pts, capture, width, height, format, data);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
    }
}
