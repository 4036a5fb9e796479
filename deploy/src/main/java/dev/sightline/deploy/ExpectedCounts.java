package dev.sightline.deploy;

import java.time.Duration;

import dev.sightline.ingest.SyntheticClipSpec;

/**
 * What ingesting a clip of known length must put on Kafka: one frame per sampling interval (the first at pts 0),
 * and one full audio chunk per chunk length. Audio may end in one short extra chunk: an AAC track is a little
 * longer than the clip, because the encoder pads its last frame (at most one AAC frame, 1024 samples).
 *
 * @param seconds          the clip's length
 * @param frames           duration x sampling fps, rounded up
 * @param fullAudioChunks  whole chunk lengths in the duration
 * @param maxTailMicros    longest allowed audio beyond the clip's end (encoder padding)
 */
record ExpectedCounts(double seconds, long frames, long fullAudioChunks, long maxTailMicros) {

    static ExpectedCounts of(SyntheticClipSpec clip, double fps, Duration audioChunk) {
        double seconds = clip.durationMicros() / 1e6;
        long frames = (long) Math.ceil(seconds * fps - 1e-9);
        long chunkMicros = audioChunk.toNanos() / 1000;
        long fullChunks = clip.sampleRate() == 0 ? 0 : clip.durationMicros() / chunkMicros;
        long tail = clip.sampleRate() == 0 ? 0 : 1024 * 1_000_000L / clip.sampleRate() + 1;
        return new ExpectedCounts(seconds, frames, fullChunks, tail);
    }
}
