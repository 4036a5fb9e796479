package dev.sightline.bench.kv;

import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.TokenInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shapes and data shared by the kv-memory benchmarks. */
final class KvBenchSupport {

    /** SmolVLM2-256M-like text decoder: 30 layers, 3 KV heads of 64, 9 query heads. */
    static final KvGeometry SMOLVLM2_256M = new KvGeometry(30, 3, 64, 9);

    private KvBenchSupport() {
    }

    /** One video frame as a grid of patch tokens at consecutive positions. */
    static List<TokenInfo> frame(long start, int frame, int tokens) {
        int cols = (int) Math.ceil(Math.sqrt(tokens));
        List<TokenInfo> out = new ArrayList<>(tokens);
        for (int i = 0; i < tokens; i++) {
            out.add(TokenInfo.video(start + i, frame * 500_000L, frame, i / cols, i % cols, 1));
        }
        return out;
    }

    static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** Pre-drawn keys, values and queries for one block of {@code n} tokens, the same for every layer. */
    record Block(float[] keys, float[] values, float[] queries, float[] out) {
        static Block random(KvGeometry g, int n, long seed) {
            Random random = new Random(seed);
            return new Block(gaussian(random, n * g.kvDim()), gaussian(random, n * g.kvDim()),
                    gaussian(random, n * g.queryDim()), new float[n * g.queryDim()]);
        }

        /** Feeds the block through every layer: what a frame's prefill asks of the KV store. */
        void feed(KvSequence seq, List<TokenInfo> tokens) {
            seq.beginBlock(tokens);
            for (int l = 0; l < seq.geometry().layers(); l++) {
                seq.store(l, keys, values);
                seq.attend(l, queries, out);
            }
            seq.endBlock();
        }

        /** Stores the block in every layer without attending: filling a memory for a benchmark's setup. */
        void store(KvSequence seq, List<TokenInfo> tokens) {
            seq.beginBlock(tokens);
            for (int l = 0; l < seq.geometry().layers(); l++) {
                seq.store(l, keys, values);
            }
            seq.endBlock();
        }
    }
}
