package dev.sightline.bench.streamqa;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;

import java.util.List;

/** A KV store wrapper for tests: records the store's size when the stream is done (at the first overlay). */
final class SizeRecorder implements KvSequence {

    private final KvSequence inner;
    private final int[] sizeOut;

    SizeRecorder(KvSequence inner, int[] sizeOut) {
        this.inner = inner;
        this.sizeOut = sizeOut;
    }

    @Override
    public KvGeometry geometry() {
        return inner.geometry();
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public long nextPosition() {
        return inner.nextPosition();
    }

    @Override
    public void beginBlock(List<TokenInfo> tokens) {
        inner.beginBlock(tokens);
    }

    @Override
    public void store(int layer, float[] keys, float[] values) {
        inner.store(layer, keys, values);
    }

    @Override
    public void attend(int layer, float[] queries, float[] out) {
        inner.attend(layer, queries, out);
    }

    @Override
    public void endBlock() {
        inner.endBlock();
    }

    @Override
    public KvSequence overlay() {
        sizeOut[0] = Math.max(sizeOut[0], inner.size());
        return inner.overlay();
    }

    @Override
    public void close() {
        inner.close();
    }
}
