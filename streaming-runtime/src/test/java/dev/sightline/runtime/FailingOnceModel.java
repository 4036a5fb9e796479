package dev.sightline.runtime;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Fault injection around the real model: the prefill of a block that includes a token at stream time
 * {@link #POISON_PTS} fails half-way (after the block began, as an engine bug would), once. Everything else is the
 * real decoder.
 */
final class FailingOnceModel implements SessionModel {
    static final long POISON_PTS = 424_242_000L;
    private final SessionModel real;
    private boolean failed;

    FailingOnceModel(SessionModel real) {
        this.real = real;
    }

    @Override
    public void prefill(float[] embeddings, List<TokenInfo> tokens, KvSequence kv) {
        if (!failed && tokens.stream().anyMatch(t -> t.ptsMicros() == POISON_PTS)) {
            failed = true;
            kv.beginBlock(tokens);                 // leaves the memory mid-block
            throw new IllegalStateException("injected engine failure");
        }
        real.prefill(embeddings, tokens, kv);
    }

    @Override public String modelId() { return real.modelId(); }
    @Override public KvGeometry geometry() { return real.geometry(); }
    @Override public int hiddenSize() { return real.hiddenSize(); }
    @Override public int[] encode(String text) { return real.encode(text); }
    @Override public String decode(int[] ids) { return real.decode(ids); }
    @Override public float[] embed(int[] ids) { return real.embed(ids); }
    @Override public int[] generate(KvSequence kv, int[] promptIds, Decoding d, IntConsumer onToken) {
        return real.generate(kv, promptIds, d, onToken);
    }
    @Override public double yesProbability(KvSequence kv, int[] promptIds) { return real.yesProbability(kv, promptIds); }
    @Override public boolean isStopToken(int id) { return real.isStopToken(id); }
    @Override public void close() { real.close(); }
}
