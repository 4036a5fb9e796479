package dev.sightline.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the whole topology, shared by its processors (thread-safe). The same numbers are also recorded in
 * Kafka Streams' own metrics (group {@code stream-sightline-tokenizer-metrics}, one entity per stage) by the
 * processors, so they show up in {@code KafkaStreams#metrics()} and JMX.
 */
public final class TokenizerMetrics {

    /** Tokens into and out of one stage. */
    public static final class StageCounter {
        private final LongAdder in = new LongAdder();
        private final LongAdder out = new LongAdder();

        void record(long tokensIn, long tokensOut) {
            in.add(tokensIn);
            out.add(tokensOut);
        }

        public long tokensIn() {
            return in.sum();
        }

        public long tokensOut() {
            return out.sum();
        }

        @Override
        public String toString() {
            return tokensIn() + " -> " + tokensOut();
        }
    }

    public final StageCounter pixelGate = new StageCounter();
    public final StageCounter temporalDrop = new StageCounter();
    public final StageCounter spatialMerge = new StageCounter();
    public final StageCounter videoAllocation = new StageCounter();
    public final StageCounter audioPruning = new StageCounter();

    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder audioChunksIn = new LongAdder();
    final LongAdder framesEncoded = new LongAdder();
    final LongAdder cellsEncoded = new LongAdder();
    final LongAdder cellsSkipped = new LongAdder();
    final LongAdder patchesEncoded = new LongAdder();
    final LongAdder patchesSkipped = new LongAdder();
    final LongAdder encoderFlops = new LongAdder();
    final LongAdder encoderFlopsSaved = new LongAdder();
    final LongAdder encoderNanos = new LongAdder();
    final LongAdder encoderNanosSaved = new LongAdder();
    final LongAdder badRecords = new LongAdder();
    final LongAdder fallbackFrames = new LongAdder();

    public long framesIn() {
        return framesIn.sum();
    }

    public long framesOut() {
        return framesOut.sum();
    }

    public long audioChunksIn() {
        return audioChunksIn.sum();
    }

    /** Frames that reached the vision tower (a frame with no cell to encode does not). */
    public long framesEncoded() {
        return framesEncoded.sum();
    }

    /** Token cells the encoder produced anew (a cell with any changed patch is re-connected). */
    public long cellsEncoded() {
        return cellsEncoded.sum();
    }

    /** Token cells the pixel gate kept away from the encoder (reused or dropped). */
    public long cellsSkipped() {
        return cellsSkipped.sum();
    }

    /**
     * Tower patches that went through the vision tower (for an encoder whose cell is one patch, the cells asked
     * for).
     */
    public long patchesEncoded() {
        return patchesEncoded.sum();
    }

    /** Tower patches the pixel gate kept away from the tower: the encoder work saved, in patches. */
    public long patchesSkipped() {
        return patchesSkipped.sum();
    }

    /** Estimated floating-point operations of the tower calls made (0 for an encoder that cannot estimate them). */
    public long encoderFlops() {
        return encoderFlops.sum();
    }

    /**
     * Estimated floating-point operations the gate saved: per frame, the tower on every patch minus the tower on the
     * patches it encoded (attention is quadratic in the patches, so this is more than proportional).
     */
    public long encoderFlopsSaved() {
        return encoderFlopsSaved.sum();
    }

    public long encoderNanos() {
        return encoderNanos.sum();
    }

    /**
     * Estimated encoder time saved: for a frame the tower did not see, its last whole-frame time; for a partial
     * encode, the last whole-frame time minus the call's time (for an encoder with no FLOPs estimate, the call's time
     * per cell encoded times the cells skipped; 0 for one that cannot encode subsets).
     */
    public long encoderNanosSaved() {
        return encoderNanosSaved.sum();
    }

    /** Records that went to the errors topic instead (undecodable, wrong dimensions, ...). */
    public long badRecords() {
        return badRecords.sum();
    }

    /** Frames whose window had no audio and that got the fallback allocation. */
    public long fallbackFrames() {
        return fallbackFrames.sum();
    }

    /** All counters by name, for logs and the benchmark. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("frames-in", framesIn());
        m.put("frames-out", framesOut());
        m.put("audio-chunks-in", audioChunksIn());
        m.put("frames-encoded", framesEncoded());
        m.put("cells-encoded", cellsEncoded());
        m.put("cells-skipped", cellsSkipped());
        m.put("patches-encoded", patchesEncoded());
        m.put("patches-skipped", patchesSkipped());
        m.put("encoder-flops", encoderFlops());
        m.put("encoder-flops-saved", encoderFlopsSaved());
        m.put("encoder-nanos", encoderNanos());
        m.put("encoder-nanos-saved", encoderNanosSaved());
        m.put("bad-records", badRecords());
        m.put("fallback-frames", fallbackFrames());
        for (var e : Map.of("pixel-gate", pixelGate, "temporal-drop", temporalDrop, "spatial-merge", spatialMerge,
                "video-allocation", videoAllocation, "audio-pruning", audioPruning).entrySet()) {
            m.put(e.getKey() + "-tokens-in", e.getValue().tokensIn());
            m.put(e.getKey() + "-tokens-out", e.getValue().tokensOut());
        }
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
