package dev.sightline.bench.model;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.model.ComputeThreads;
import dev.sightline.model.Model;
import dev.sightline.model.TextDecoder;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * One engine's greedy decode of the random SmolLM2-135M-shaped checkpoint (BF16 in place, or Q8_0 made at load with
 * {@code -Dversions.q8=true}), as {@link DecodeRoofline} runs it: a 128-token prefill, then {@code tokens} decode
 * steps timed with their argmax and embedding lookups. Only public engine API, so {@link DecodeVersions} can load
 * this class once per engine version, each in its own class loader.
 */
public final class DecodeRunner implements AutoCloseable {

    private final Model model;
    private final int[] prompt;

    /** Loads the checkpoint in {@code dir} and warms the kernels up. */
    public DecodeRunner(String dir, int threads) {
        model = Model.load(Path.of(dir), new Model.Options(Boolean.getBoolean("versions.q8")));
        prompt = new Random(1).ints(128, 0, model.decoder().vocabSize()).toArray();
        decode(8, threads);
    }

    /** Weight bytes one decode step reads, plus the token's embedding row (as {@link DecodeRoofline} counts). */
    public long bytesPerToken() {
        return model.decoder().weightBytesPerToken() + 2L * model.decoder().hiddenSize();
    }

    /** Decode tokens per second over {@code tokens} steps after the prefill, with {@code threads} threads. */
    public double decode(int tokens, int threads) {
        ComputeThreads.setThreads(threads);
        ComputeThreads.setDecodeThreads(threads);
        TextDecoder d = model.decoder();
        try (KvPool pool = KvPool.allocate(256L << 20);
             KvSequence kv = PagedKvSequence.open(pool, d.geometry(),
                     KvMemoryConfig.builder(128L << 20).format(PageFormat.F16).policy("full").build())) {
            float[] logits = d.forward(d.embed(prompt), Model.textTokens(0, prompt.length), kv,
                    TextDecoder.Logits.LAST);
            long t0 = System.nanoTime();
            for (int i = 0; i < tokens; i++) {
                logits = d.forward(d.embed(new int[]{argmax(logits)}), List.of(TokenInfo.text(kv.nextPosition())),
                        kv, TextDecoder.Logits.LAST);
            }
            return tokens / ((System.nanoTime() - t0) / 1e9);
        }
    }

    @Override
    public void close() {
        model.close();
    }

    /**
     * The greedy next token. The model benchmarks share this one; it stays here, not in the engine, because this
     * class may only use engine API that older builds have too.
     */
    static int argmax(float[] x) {
        int b = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[b]) {
                b = i;
            }
        }
        return b;
    }
}
