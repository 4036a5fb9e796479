package dev.sightline.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BinarySerdeTest {
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3, (byte) 0xFF,
            (byte) 0xD9};

    private static VideoFrame jpegFrame() {
        return new VideoFrame("cam-ü1", 7, 7_000_000, 1_790_000_000_000L, 640, 360, PixelFormat.JPEG, JPEG);
    }

    private static VideoFrame rgbFrame() {
        byte[] px = new byte[4 * 3 * 3];
        new Random(1).nextBytes(px);
        return new VideoFrame("s", 0, 0, 5, 4, 3, PixelFormat.RGB24, px);
    }

    private static AudioChunk chunk() {
        short[] s = new short[1600];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) (i * 37 - 20000);
        }
        return new AudioChunk("cam-1", 3, 3_000_000, 16_000, 1, s);
    }

    @Test
    void videoFramesRoundTrip() {
        VideoFrameSerde serde = new VideoFrameSerde();
        for (VideoFrame f : new VideoFrame[]{jpegFrame(), rgbFrame()}) {
            byte[] bytes = serde.serializer().serialize("t", f);
            assertThat(bytes).hasSize(VideoFrameSerde.encodedSize(f));
            assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(f);
        }
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void audioChunksRoundTripWithLittleEndianSamples() {
        AudioChunk c = chunk();
        byte[] bytes = AudioChunkSerde.encode(c);
        AudioChunk back = AudioChunkSerde.decode(bytes);
        assertThat(back).isEqualTo(c);
        assertThat(back.durationMicros()).isEqualTo(100_000);
        // last sample, s16le: low byte first
        short last = c.samples()[c.samples().length - 1];
        assertThat(bytes[bytes.length - 2]).isEqualTo((byte) last);
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) (last >> 8));
    }

    @Test
    void rejectsBadMagicNamingBoth() {
        byte[] bytes = VideoFrameSerde.encode(jpegFrame());
        bytes[0] = 0x00;
        assertThatThrownBy(() -> VideoFrameSerde.decode(bytes))
                .isInstanceOf(BadRecordException.class)
                .hasMessageContaining("bad VideoFrame record")
                .hasMessageContaining("bad magic")
                .hasMessageContaining("'SLVF'");
        // an audio chunk on the frames topic is caught by its magic too
        assertThatThrownBy(() -> VideoFrameSerde.decode(AudioChunkSerde.encode(chunk())))
                .hasMessageContaining("bad magic 'SLAU', expected 'SLVF'");
    }

    @Test
    void rejectsUnknownVersion() {
        byte[] bytes = AudioChunkSerde.encode(chunk());
        ByteBuffer.wrap(bytes).putShort(4, (short) 9);
        assertThatThrownBy(() -> AudioChunkSerde.decode(bytes))
                .isInstanceOf(BadRecordException.class)
                .hasMessageContaining("unsupported schema version 9");
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] bytes = VideoFrameSerde.encode(jpegFrame());
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> VideoFrameSerde.decode(cut))
                    .as("truncated to %d bytes", len)
                    .isInstanceOf(BadRecordException.class)
                    .hasMessageMatching("(?s).*(truncated|follow).*");
        }
        byte[] audio = AudioChunkSerde.encode(chunk());
        assertThatThrownBy(() -> AudioChunkSerde.decode(Arrays.copyOf(audio, audio.length - 1)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("follow");
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] bytes = VideoFrameSerde.encode(jpegFrame());
        assertThatThrownBy(() -> VideoFrameSerde.decode(Arrays.copyOf(bytes, bytes.length + 3)))
                .isInstanceOf(BadRecordException.class);
    }

    @Test
    void rejectsImpossibleDimensions() {
        byte[] bytes = VideoFrameSerde.encode(rgbFrame());
        int widthAt = BinaryHeader.SIZE + BinaryWriter.stringSize("s") + 24;
        ByteBuffer.wrap(bytes).putInt(widthAt, 0);
        assertThatThrownBy(() -> VideoFrameSerde.decode(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("'width' = 0");
        ByteBuffer.wrap(bytes).putInt(widthAt, 5); // 5x3 RGB needs 45 bytes, 36 follow
        assertThatThrownBy(() -> VideoFrameSerde.decode(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("RGB24 5x3 needs 45 bytes, got 36");
        ByteBuffer.wrap(bytes).putInt(widthAt, 100_000);
        assertThatThrownBy(() -> VideoFrameSerde.decode(bytes))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("'width' = 100000");
    }

    @Test
    void rejectsJpegWithoutSoiAndUnknownPixelFormat() {
        byte[] bytes = VideoFrameSerde.encode(jpegFrame());
        bytes[bytes.length - JPEG.length] = 0x00;
        assertThatThrownBy(() -> VideoFrameSerde.decode(bytes)).hasMessageContaining("SOI");
        byte[] other = VideoFrameSerde.encode(jpegFrame());
        int formatAt = BinaryHeader.SIZE + BinaryWriter.stringSize("cam-ü1") + 32;
        other[formatAt] = 42;
        assertThatThrownBy(() -> VideoFrameSerde.decode(other)).hasMessageContaining("unknown pixel format code 42");
    }

    @Test
    void rejectsRandomGarbageWithoutOtherExceptions() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            if (i % 2 == 0 && garbage.length >= 6) { // get past the header sometimes
                ByteBuffer.wrap(garbage).putInt(VideoFrameSerde.MAGIC).putShort((short) 1);
            }
            assertThatThrownBy(() -> VideoFrameSerde.decode(garbage)).isInstanceOf(BadRecordException.class);
            if (garbage.length >= 6) {
                ByteBuffer.wrap(garbage).putInt(AudioChunkSerde.MAGIC);
            }
            assertThatThrownBy(() -> AudioChunkSerde.decode(garbage)).isInstanceOf(BadRecordException.class);
        }
    }

    @Test
    void audioRejectsOddChannelLayout() {
        assertThatThrownBy(() -> new AudioChunk("s", 0, 0, 16000, 2, new short[3]))
                .hasMessageContaining("not a multiple of 2 channels");
    }

    @Test
    void headerHelperIsReusable() {
        int magic = BinaryHeader.magic("SLTB");
        byte[] bytes = new BinaryWriter(BinaryHeader.SIZE + 4).header(magic, 2).writeInt(5).toBytes();
        BinaryReader r = new BinaryReader(bytes, "TokenBatch");
        assertThat(r.header(magic, 1, 2)).isEqualTo(2);
        assertThat(r.readInt("count")).isEqualTo(5);
        r.expectEnd();
        assertThatThrownBy(() -> BinaryHeader.magic("TOOLONG")).isInstanceOf(IllegalArgumentException.class);
    }
}
