package dev.sightline.deploy;

import java.time.Duration;

import dev.sightline.ingest.SyntheticClipSpec;

/**
 * What ingesting a clip of known length must put on Kafka: one frame per sampling interval (the first at pts 0),
 * one full audio chunk per whole chunk length, then at most one partial chunk holding the rest of the clip. That last
 * chunk may be longer than the rest by up to one AAC frame (1024 samples), or exist when there is no rest: the
 * encoder pads the track's last frame, so the audio track is a little longer than the clip.
 *
 * @param seconds          the clip's length
 * @param frames           duration x sampling fps, rounded up
 * @param fullAudioChunks  whole chunk lengths in the duration
 * @param restMicros       the clip's audio after the whole chunks
 * @param paddingMicros    the most encoder padding an AAC track may add
 */
record ExpectedCounts(double seconds, long frames, long fullAudioChunks, long restMicros, long paddingMicros) {

    static ExpectedCounts of(SyntheticClipSpec clip, double fps, Duration audioChunk) {
        return of(clip.durationMicros(), clip.sampleRate(), fps, audioChunk);
    }

    /** For a clip of {@code durationMicros} with audio at {@code sampleRate} (0: none). */
    static ExpectedCounts of(long durationMicros, int sampleRate, double fps, Duration audioChunk) {
        double seconds = durationMicros / 1e6;
        long frames = (long) Math.ceil(seconds * fps - 1e-9);
        if (sampleRate == 0) {
            return new ExpectedCounts(seconds, frames, 0, 0, 0);
        }
        long chunkMicros = audioChunk.toNanos() / 1000;
        long fullChunks = durationMicros / chunkMicros;
        long rest = durationMicros - fullChunks * chunkMicros;
        long padding = 1024 * 1_000_000L / sampleRate + 1;
        return new ExpectedCounts(seconds, frames, fullChunks, rest, padding);
    }

    /** Whether audio that ended in {@code partialChunks} short chunks totalling {@code tailMicros} is as expected. */
    boolean tailMatches(long partialChunks, long tailMicros) {
        return partialChunks <= 1 && Math.abs(tailMicros - restMicros) <= paddingMicros;
    }
}
