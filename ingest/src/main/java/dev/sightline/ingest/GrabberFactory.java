package dev.sightline.ingest;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;

import java.util.Locale;

/**
 * Configures an {@link FFmpegFrameGrabber} for a source: TCP for RTSP, I/O timeouts for network sources (FFmpeg
 * 8.1 calls the RTSP socket timeout {@code timeout}, in microseconds; {@code stimeout} is gone), the V4L2 input
 * format for cameras, and audio resampled to 16 kHz mono s16 on grab.
 */
final class GrabberFactory {
    static {
        quietFfmpegLog();
    }

    /** FFmpeg's own log goes to stderr; keep it to errors (ingest reports problems as events). */
    static void quietFfmpegLog() {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private GrabberFactory() {
    }

    /** @param withAudio false to ignore the source's audio (e.g. after its audio decoder failed to open) */
    static FFmpegFrameGrabber create(StreamSource source, boolean withAudio) {
        String url = source.url();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("v4l2:")) {
            url = url.substring("v4l2:".length());
            lower = lower.substring("v4l2:".length());
        }
        if (lower.startsWith("file:")) {
            url = url.substring("file:".length());
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(url);
        String timeoutMicros = Long.toString(source.noDataTimeout().toNanos() / 1000);
        if (lower.startsWith("/dev/video")) {
            g.setFormat("video4linux2");
        } else if (lower.startsWith("rtsp://") || lower.startsWith("rtsps://")) {
            g.setOption("rtsp_transport", "tcp");
            g.setOption("timeout", timeoutMicros);
        }
        if (lower.matches("^[a-z0-9]+://.*")) {
            g.setOption("rw_timeout", timeoutMicros);
        }
        source.ffmpegOptions().forEach(g::setOption);
        if (withAudio) {
            g.setSampleRate(StreamSource.AUDIO_SAMPLE_RATE);
            g.setAudioChannels(StreamSource.AUDIO_CHANNELS);
            g.setSampleFormat(avutil.AV_SAMPLE_FMT_S16);
        } else {
            g.setAudioStream(-1);
        }
        return g;
    }
}
