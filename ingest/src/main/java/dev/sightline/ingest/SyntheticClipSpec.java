package dev.sightline.ingest;

import java.time.Duration;

/**
 * What synthetic clip to make. The same spec (seed included) always gives the same ground truth and the same
 * rendered frames and samples.
 *
 * @param seed       drives every random choice
 * @param durationMicros clip length in microseconds
 * @param width      video width (even)
 * @param height     video height (even)
 * @param fps        video frames per second
 * @param shapes     number of coloured shapes that appear, move and leave
 * @param tones      number of sine tones, each in its own time slot
 * @param sampleRate audio sample rate of the file (mono); 0 for a clip without audio
 */
public record SyntheticClipSpec(long seed, long durationMicros, int width, int height, int fps, int shapes,
                                int tones, int sampleRate) {
    public SyntheticClipSpec {
        if (durationMicros < 200_000 || durationMicros > 24L * 3600 * 1_000_000) {
            throw new IllegalArgumentException("duration must be 0.2 s .. 24 h: " + durationMicros + " us");
        }
        if (width < 64 || height < 64 || width % 2 != 0 || height % 2 != 0 || width > 7680 || height > 4320) {
            throw new IllegalArgumentException("size must be even, 64x64 .. 7680x4320: " + width + "x" + height);
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException("fps must be 1..120: " + fps);
        }
        if (shapes < 0 || tones < 0) {
            throw new IllegalArgumentException("shape and tone counts must be >= 0");
        }
        if (sampleRate != 0 && (sampleRate < 8000 || sampleRate > 96_000)) {
            throw new IllegalArgumentException("sample rate must be 0 (no audio) or 8000..96000: " + sampleRate);
        }
    }

    /** 320x240 at 10 fps, 4 shapes, 3 tones, 48 kHz audio. */
    public static SyntheticClipSpec small(long seed, Duration duration) {
        return new SyntheticClipSpec(seed, duration.toNanos() / 1000, 320, 240, 10, 4, 3, 48_000);
    }

    public SyntheticClipSpec withSize(int w, int h) {
        return new SyntheticClipSpec(seed, durationMicros, w, h, fps, shapes, tones, sampleRate);
    }

    public SyntheticClipSpec withFps(int f) {
        return new SyntheticClipSpec(seed, durationMicros, width, height, f, shapes, tones, sampleRate);
    }

    public SyntheticClipSpec withShapesAndTones(int s, int t) {
        return new SyntheticClipSpec(seed, durationMicros, width, height, fps, s, t, sampleRate);
    }

    public SyntheticClipSpec withSampleRate(int rate) {
        return new SyntheticClipSpec(seed, durationMicros, width, height, fps, shapes, tones, rate);
    }

    /** Number of video frames: every frame i shows time i / fps. */
    public int frameCount() {
        return (int) (durationMicros() * fps / 1_000_000L);
    }
}
