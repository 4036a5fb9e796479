package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;

import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a stream of 16 kHz mono samples into fixed-length chunks. Chunk times come from counting samples from
 * the first sample's timestamp, so chunks are contiguous and free of timestamp jitter; a jump of more than
 * {@link #DISCONTINUITY_MICROS} between where the samples should be and where the source says they are (a
 * reconnect, a lost packet run) closes the current chunk early and starts a new run at the new time.
 */
final class AudioChunker {
    static final long DISCONTINUITY_MICROS = 200_000;

    private final String streamId;
    private final int sampleRate;
    private final short[] buffer;
    private int filled;
    private long runStartPts = -1; // timeline position of the current run's first sample
    private long runSamples;       // samples of the current run before the buffer
    private long sequence;

    AudioChunker(String streamId, int sampleRate, int chunkSamples, long firstSequence) {
        this.streamId = streamId;
        this.sampleRate = sampleRate;
        this.buffer = new short[chunkSamples];
        this.sequence = firstSequence;
    }

    private long expectedPts() {
        return runStartPts + (runSamples + filled) * 1_000_000L / sampleRate;
    }

    /** Adds samples whose first one is at {@code ptsMicros}; returns the chunks completed. */
    List<AudioChunk> add(long ptsMicros, ShortBuffer samples) {
        List<AudioChunk> done = new ArrayList<>(1);
        if (runStartPts < 0 || Math.abs(ptsMicros - expectedPts()) > DISCONTINUITY_MICROS) {
            flushInto(done);
            runStartPts = Math.max(0, ptsMicros);
            runSamples = 0;
        }
        while (samples.hasRemaining()) {
            int n = Math.min(samples.remaining(), buffer.length - filled);
            samples.get(buffer, filled, n);
            filled += n;
            if (filled == buffer.length) {
                flushInto(done);
            }
        }
        return done;
    }

    /** Closes the current partial chunk (end of stream, lost connection). */
    List<AudioChunk> flush() {
        List<AudioChunk> done = new ArrayList<>(1);
        flushInto(done);
        runStartPts = -1;
        return done;
    }

    private void flushInto(List<AudioChunk> done) {
        if (filled == 0) {
            return;
        }
        long start = runStartPts + runSamples * 1_000_000L / sampleRate;
        short[] samples = new short[filled];
        System.arraycopy(buffer, 0, samples, 0, filled);
        done.add(new AudioChunk(streamId, sequence++, start, sampleRate, 1, samples));
        runSamples += filled;
        filled = 0;
    }

    long nextSequence() {
        return sequence;
    }
}
