package dev.sightline.bench.streamqa;

import dev.sightline.kv.ForwardingKvSequence;
import dev.sightline.kv.KvSequence;

/** A KV store wrapper for tests: records the store's size when the stream is done (at the first overlay). */
final class SizeRecorder extends ForwardingKvSequence {

    private final int[] sizeOut;

    SizeRecorder(KvSequence inner, int[] sizeOut) {
        super(inner);
        this.sizeOut = sizeOut;
    }

    @Override
    public KvSequence overlay() {
        sizeOut[0] = Math.max(sizeOut[0], inner.size());
        return inner.overlay();
    }
}
