package dev.sightline.runtime;

import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;

import java.util.Optional;

/**
 * One stream's {@link BackpressurePolicy} at work: decides per batch whether to skip it, from how far behind the
 * stream the runtime is, and gathers consecutive skips into gaps. A gap is reported once it is over: under
 * {@link BackpressurePolicy#DROP_OLDEST} at the first batch kept again, under
 * {@link BackpressurePolicy#LOWER_FRAME_RATE} (which keeps some batches while behind) once the runtime has caught up.
 */
final class BackpressureGate {
    /** A run of skipped batches. */
    record Gap(long batches, long firstSequence, long lastSequence, long fromPtsMicros, long toPtsMicros) {
    }

    private final BackpressurePolicy policy;
    private final long maxLagMillis;
    private final int frameStride;
    private long videoWhileBehind;
    private boolean behind;
    private long count;
    private long firstSequence;
    private long lastSequence;
    private long fromPts;
    private long toPts;

    BackpressureGate(BackpressurePolicy policy, long maxLagMillis, int frameStride) {
        this.policy = policy;
        this.maxLagMillis = maxLagMillis;
        this.frameStride = frameStride;
    }

    /** Whether to skip {@code batch}, which is {@code lagMillis} old (wall clock now minus its Kafka timestamp). */
    boolean drop(TokenBatch batch, long lagMillis) {
        behind = lagMillis > maxLagMillis;
        if (!behind) {
            videoWhileBehind = 0;
        }
        boolean drop = switch (policy) {
            case NONE -> false;
            case DROP_OLDEST -> behind;
            case LOWER_FRAME_RATE -> behind && batch.modality() == TokenModality.VIDEO
                    && (videoWhileBehind++ % frameStride) != 0;
        };
        if (drop) {
            if (count == 0) {
                firstSequence = batch.sequence();
                fromPts = batch.ptsStartMicros();
            }
            count++;
            lastSequence = batch.sequence();
            toPts = batch.ptsEndMicros();
        }
        return drop;
    }

    /** The gap that the last kept batch ended, if any; each gap is returned once. */
    Optional<Gap> takeEndedGap() {
        if (count == 0 || (policy == BackpressurePolicy.LOWER_FRAME_RATE && behind)) {
            return Optional.empty();
        }
        Gap g = new Gap(count, firstSequence, lastSequence, fromPts, toPts);
        count = 0;
        return Optional.of(g);
    }
}
