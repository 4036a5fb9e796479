package dev.sightline.bench.streamqa;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a StreamQA stream as a media file through FFmpeg, with the recorder settings ingest's synthetic media uses
 * (MPEG-4 Part 2 video, a key frame a second, AAC mono audio; MP2 in {@code .ts}), so the benchmark can be fed to
 * the real ingest path and the model sees the codec's losses.
 */
public final class StreamQaMediaWriter {

    private StreamQaMediaWriter() {
    }

    /**
     * Encodes {@code scene}'s frames (1 fps) and {@code pcm} (16 kHz mono) into {@code file}, container by extension.
     *
     * @throws IOException when FFmpeg cannot write the file
     */
    public static void write(Scene scene, short[] pcm, Path file) throws IOException {
        if (pcm.length != scene.frames() * StreamQaSpec.SAMPLE_RATE) {
            throw new IllegalArgumentException("a " + scene.frames() + " s stream needs "
                    + scene.frames() * StreamQaSpec.SAMPLE_RATE + " samples, got " + pcm.length);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        int size = StreamQaSpec.SIZE;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), size, size, 1)) {
            boolean ts = file.toString().endsWith(".ts");
            recorder.setFormat(ts ? "mpegts" : file.toString().endsWith(".mkv") ? "matroska" : "mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(1);
            recorder.setGopSize(1);
            recorder.setVideoBitrate(400_000);
            recorder.setAudioCodec(ts ? avcodec.AV_CODEC_ID_MP2 : avcodec.AV_CODEC_ID_AAC);
            recorder.setSampleRate(StreamQaSpec.SAMPLE_RATE);
            recorder.setAudioChannels(1);
            recorder.setAudioBitrate(96_000);
            recorder.start();
            Frame frame = new Frame(size, size, Frame.DEPTH_UBYTE, 3);
            ByteBuffer pixels = (ByteBuffer) frame.image[0];
            int stride = frame.imageStride;
            for (int f = 0; f < scene.frames(); f++) {
                byte[] rgb = StreamQaGenerator.renderFrame(scene, f);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int src = (y * size + x) * 3;
                        int dst = y * stride + x * 3;
                        // JavaCV's 3-channel frames are BGR
                        pixels.put(dst, rgb[src + 2]);
                        pixels.put(dst + 1, rgb[src + 1]);
                        pixels.put(dst + 2, rgb[src]);
                    }
                }
                recorder.record(frame, avutil.AV_PIX_FMT_BGR24);
                recorder.recordSamples(StreamQaSpec.SAMPLE_RATE, 1,
                        ShortBuffer.wrap(pcm, f * StreamQaSpec.SAMPLE_RATE, StreamQaSpec.SAMPLE_RATE));
            }
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot write StreamQA stream " + file + ": " + e.getMessage(), e);
        }
    }
}
