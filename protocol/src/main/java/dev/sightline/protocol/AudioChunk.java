package dev.sightline.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * A chunk of PCM audio of one stream, on the same timeline as its {@link VideoFrame}s (audio topic, keyed by
 * stream id). Ingest sends 16 kHz mono chunks of 1 s by default; the record itself allows other layouts.
 *
 * @param streamId       the stream it belongs to
 * @param sequence       0, 1, 2, ... per stream and ingest run
 * @param startPtsMicros presentation time of the first sample, microseconds from the stream's start
 * @param sampleRate     samples per second per channel, 1..{@value #MAX_SAMPLE_RATE}
 * @param channels       1..{@value #MAX_CHANNELS}, samples interleaved
 * @param samples        signed 16-bit PCM, interleaved; length a multiple of {@code channels}
 */
public record AudioChunk(String streamId, long sequence, long startPtsMicros, int sampleRate, int channels,
                         short[] samples) {
    public static final int MAX_SAMPLE_RATE = 384_000;
    public static final int MAX_CHANNELS = 8;

    public AudioChunk {
        VideoFrame.requireStreamId(streamId);
        Objects.requireNonNull(samples, "samples");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
        }
        if (sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " outside 1.." + MAX_SAMPLE_RATE);
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw new IllegalArgumentException("channels " + channels + " outside 1.." + MAX_CHANNELS);
        }
        if (samples.length % channels != 0) {
            throw new IllegalArgumentException(samples.length + " samples is not a multiple of " + channels
                    + " channels");
        }
    }

    /** Samples per channel. */
    public int frameCount() {
        return samples.length / channels;
    }

    /** Duration in microseconds (rounded down). */
    public long durationMicros() {
        return frameCount() * 1_000_000L / sampleRate;
    }

    /** Presentation time just after the last sample. */
    public long endPtsMicros() {
        return startPtsMicros + durationMicros();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioChunk a && sequence == a.sequence && startPtsMicros == a.startPtsMicros
                && sampleRate == a.sampleRate && channels == a.channels && streamId.equals(a.streamId)
                && Arrays.equals(samples, a.samples);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, sequence, startPtsMicros, sampleRate, channels) * 31 + Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "AudioChunk[" + streamId + " #" + sequence + " pts=" + startPtsMicros + "us " + sampleRate + "Hz x"
                + channels + " " + frameCount() + " frames]";
    }
}
