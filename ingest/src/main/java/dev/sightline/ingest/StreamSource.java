package dev.sightline.ingest;

import dev.sightline.protocol.PixelFormat;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One stream to ingest: where it comes from and how its frames and audio are shaped. Build with
 * {@link #of(String, String)} and the {@code with...} methods; every setting has a default.
 *
 * @param id              stream id, the Kafka key of everything this stream produces
 * @param url             a file path, {@code file:}, {@code rtsp://}, {@code rtmp://}, {@code http(s)://} (incl. HLS),
 *                        {@code udp://}, {@code srt://}, or a V4L2 camera {@code /dev/videoN}
 * @param framesPerSecond video frames sampled per second of presentation time (default 1)
 * @param width           output width in pixels (default 640)
 * @param height          output height in pixels (default 360)
 * @param fit             how the aspect ratio is reconciled (default {@link FitMode#PAD})
 * @param encoding        {@link PixelFormat#JPEG} (default) or {@link PixelFormat#RGB24}
 * @param jpegQuality     1..100 (default 85)
 * @param audio           whether to send audio (default true; streams without audio simply send none)
 * @param audioChunk      audio chunk length (default 1 s); audio is resampled to 16 kHz mono s16
 * @param reconnect       live sources' reconnect policy (default 5 s base, 60 s cap, forever)
 * @param noDataTimeout   a live source that delivers nothing this long is reconnected (default 20 s)
 * @param live            true for a live source (reconnects, drops oldest when behind), false for a file (no drops,
 *                        ends at its end), null to decide from the URL (network schemes and /dev/ are live)
 * @param pace            read a file at its own speed (as if live) rather than as fast as possible (default false)
 * @param queueCapacity   frames waiting to be encoded and sent; live sources drop the oldest beyond it (default 8)
 * @param ffmpegOptions   extra FFmpeg demuxer options (e.g. {@code "video_size": "1280x720"} for a camera)
 */
public record StreamSource(String id, String url, double framesPerSecond, int width, int height, FitMode fit,
                           PixelFormat encoding, int jpegQuality, boolean audio, Duration audioChunk,
                           ReconnectPolicy reconnect, Duration noDataTimeout, Boolean live, boolean pace,
                           int queueCapacity, Map<String, String> ffmpegOptions) {
    /** The audio format every chunk has. */
    public static final int AUDIO_SAMPLE_RATE = 16_000;
    public static final int AUDIO_CHANNELS = 1;

    public StreamSource {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("stream id must be non-blank");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("stream " + id + ": url must be non-blank");
        }
        if (!(framesPerSecond > 0) || framesPerSecond > 240) {
            throw new IllegalArgumentException("stream " + id + ": frames per second must be in (0, 240]: "
                    + framesPerSecond);
        }
        if (width < 16 || height < 16 || width > 8192 || height > 8192) {
            throw new IllegalArgumentException("stream " + id + ": output size " + width + "x" + height
                    + " outside 16..8192");
        }
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(encoding, "encoding");
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("stream " + id + ": JPEG quality must be 1..100: " + jpegQuality);
        }
        if (audioChunk == null || audioChunk.toMillis() < 10 || audioChunk.toSeconds() > 60) {
            throw new IllegalArgumentException("stream " + id + ": audio chunk must be 10 ms..60 s: " + audioChunk);
        }
        Objects.requireNonNull(reconnect, "reconnect");
        if (noDataTimeout == null || noDataTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("stream " + id + ": no-data timeout must be >= 100 ms");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("stream " + id + ": queue capacity must be >= 1");
        }
        ffmpegOptions = ffmpegOptions == null ? Map.of() : Map.copyOf(ffmpegOptions);
    }

    /** A source with every default. */
    public static StreamSource of(String id, String url) {
        return new StreamSource(id, url, 1.0, 640, 360, FitMode.PAD, PixelFormat.JPEG, 85, true,
                Duration.ofSeconds(1), ReconnectPolicy.defaults(), Duration.ofSeconds(20), null, false, 8,
                Map.of());
    }

    /** Whether this source is treated as live (see {@link #live()}). */
    public boolean isLive() {
        if (live != null) {
            return live;
        }
        String u = url.toLowerCase(Locale.ROOT);
        return u.startsWith("/dev/") || u.startsWith("v4l2:")
                || u.matches("^(rtsps?|rtmps?|rtp|udp|tcp|srt|https?)://.*");
    }

    /** Samples per audio chunk. */
    public int audioChunkSamples() {
        return (int) (audioChunk.toNanos() * AUDIO_SAMPLE_RATE / 1_000_000_000L);
    }

    public StreamSource withFramesPerSecond(double fps) {
        return new StreamSource(id, url, fps, width, height, fit, encoding, jpegQuality, audio, audioChunk,
                reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withSize(int w, int h) {
        return new StreamSource(id, url, framesPerSecond, w, h, fit, encoding, jpegQuality, audio, audioChunk,
                reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withFit(FitMode f) {
        return new StreamSource(id, url, framesPerSecond, width, height, f, encoding, jpegQuality, audio,
                audioChunk, reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withEncoding(PixelFormat e) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, e, jpegQuality, audio, audioChunk,
                reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withJpegQuality(int q) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, q, audio, audioChunk,
                reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withAudio(boolean a) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, a, audioChunk,
                reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withAudioChunk(Duration d) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio, d,
                reconnect, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withReconnect(ReconnectPolicy r) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio,
                audioChunk, r, noDataTimeout, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withNoDataTimeout(Duration d) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio,
                audioChunk, reconnect, d, live, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withLive(Boolean l) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio,
                audioChunk, reconnect, noDataTimeout, l, pace, queueCapacity, ffmpegOptions);
    }

    public StreamSource withPace(boolean p) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio,
                audioChunk, reconnect, noDataTimeout, live, p, queueCapacity, ffmpegOptions);
    }

    public StreamSource withQueueCapacity(int c) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio,
                audioChunk, reconnect, noDataTimeout, live, pace, c, ffmpegOptions);
    }

    public StreamSource withFfmpegOptions(Map<String, String> o) {
        return new StreamSource(id, url, framesPerSecond, width, height, fit, encoding, jpegQuality, audio,
                audioChunk, reconnect, noDataTimeout, live, pace, queueCapacity, o);
    }
}
