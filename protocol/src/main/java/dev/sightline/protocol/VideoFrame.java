package dev.sightline.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One sampled video frame of one stream, as it travels on the frames topic (keyed by {@link #streamId()}).
 *
 * @param streamId          the stream it belongs to (non-blank, at most {@value #MAX_STREAM_ID_BYTES} UTF-8 bytes)
 * @param sequence          0, 1, 2, ... per stream and ingest run; a jump means frames were dropped (a gap)
 * @param ptsMicros         presentation time on the stream's own timeline, microseconds from its start
 * @param captureTimeMillis wall-clock time (epoch ms) when ingest took the frame from the source
 * @param width             pixels, 1..{@value #MAX_DIMENSION}
 * @param height            pixels, 1..{@value #MAX_DIMENSION}
 * @param format            how {@code data} encodes the pixels
 * @param data              the encoded image; the record keeps the array as given (do not mutate it)
 */
public record VideoFrame(String streamId, long sequence, long ptsMicros, long captureTimeMillis,
                         int width, int height, PixelFormat format, byte[] data) {
    public static final int MAX_DIMENSION = 16_384;
    public static final int MAX_STREAM_ID_BYTES = 256;

    public VideoFrame {
        requireStreamId(streamId);
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(data, "data");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
        }
        if (width < 1 || width > MAX_DIMENSION || height < 1 || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("dimensions " + width + "x" + height + " outside 1.." + MAX_DIMENSION);
        }
        switch (format) {
            case RGB24 -> {
                long expected = (long) width * height * 3;
                if (data.length != expected) {
                    throw new IllegalArgumentException("RGB24 " + width + "x" + height + " needs " + expected
                            + " bytes, got " + data.length);
                }
            }
            case JPEG -> {
                if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
                    throw new IllegalArgumentException("JPEG data does not start with the SOI marker FF D8");
                }
            }
        }
    }

    static void requireStreamId(String streamId) {
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("stream id must be non-blank");
        }
        if (streamId.getBytes(StandardCharsets.UTF_8).length > MAX_STREAM_ID_BYTES) {
            throw new IllegalArgumentException("stream id longer than " + MAX_STREAM_ID_BYTES + " UTF-8 bytes");
        }
    }

    // Records compare arrays by reference; frames are values, so compare the bytes.
    @Override
    public boolean equals(Object o) {
        return o instanceof VideoFrame f && sequence == f.sequence && ptsMicros == f.ptsMicros
                && captureTimeMillis == f.captureTimeMillis && width == f.width && height == f.height
                && streamId.equals(f.streamId) && format == f.format && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, sequence, ptsMicros, width, height, format) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "VideoFrame[" + streamId + " #" + sequence + " pts=" + ptsMicros + "us " + width + "x" + height
                + " " + format + " " + data.length + " B]";
    }
}
