package dev.sightline.kv;

import java.util.List;

/**
 * A {@link KvSequence} that passes every call to another one. Extend it to watch or adjust a few calls (record
 * attention, sizes, timings) without restating the rest of the contract.
 */
public abstract class ForwardingKvSequence implements KvSequence {

    protected final KvSequence inner;

    protected ForwardingKvSequence(KvSequence inner) {
        this.inner = inner;
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
        return inner.overlay();
    }

    @Override
    public void close() {
        inner.close();
    }
}
