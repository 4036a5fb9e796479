package dev.sightline.bench.model;

import dev.sightline.kv.DecodeAttentionSwitches;
import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code bench decode-attention}: the time of a decode step's attention alone (kv-memory's {@code attend} over all
 * 30 layers) with SmolLM2-135M's attention shapes (3 KV heads of 64, 9 query heads) over F16 pages, reading the rows
 * where they lie against converting them into a float array first ({@link DecodeAttentionSwitches}), alternately in
 * one process. Between layers it reads 16 MB of other memory, as a decode step streams a layer's weights, so the pages
 * come from memory as they do in the engine. Args: {@code [contextTokens=144] [rounds=6] [steps=64]}.
 */
public final class DecodeAttentionBench {

    private DecodeAttentionBench() {
    }

    public static void main(String[] args) {
        int context = args.length > 0 ? Integer.parseInt(args[0]) : 144;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        KvGeometry g = new KvGeometry(30, 3, 64, 9);
        Random random = new Random(1);
        long[] other = new long[2 << 20];
        long sink = 0;
        try (KvPool pool = KvPool.allocate(512L << 20)) {
            for (int r = 0; r <= rounds; r++) {   // round 0 warms up
                StringBuilder line = new StringBuilder(r == 0 ? "warm-up:" : "round " + r + ":");
                for (boolean inPlace : new boolean[]{r % 2 == 0, r % 2 != 0}) {
                    DecodeAttentionSwitches.setF16InPlace(inPlace);
                    try (PagedKvSequence kv = PagedKvSequence.open(pool, g,
                            KvMemoryConfig.builder(256L << 20).format(PageFormat.F16).policy("full").build())) {
                        List<TokenInfo> prompt = new ArrayList<>();
                        for (int i = 0; i < context; i++) {
                            prompt.add(TokenInfo.text(i));
                        }
                        kv.beginBlock(prompt);
                        for (int l = 0; l < g.layers(); l++) {
                            kv.store(l, gaussian(random, context * g.kvDim()), gaussian(random, context * g.kvDim()));
                            kv.attend(l, gaussian(random, context * g.queryDim()), new float[context * g.queryDim()]);
                        }
                        kv.endBlock();
                        float[] q = gaussian(random, g.queryDim());
                        float[] k = gaussian(random, g.kvDim());
                        float[] out = new float[q.length];
                        long nanos = 0;
                        for (int s = 0; s < steps; s++) {
                            kv.beginBlock(List.of(TokenInfo.text(kv.nextPosition())));
                            for (int l = 0; l < g.layers(); l++) {
                                kv.store(l, k, k);
                                for (int i = 0; i < other.length; i += 8) {   // one long per cache line
                                    sink += other[i];
                                }
                                long t0 = System.nanoTime();
                                kv.attend(l, q, out);
                                nanos += System.nanoTime() - t0;
                            }
                            kv.endBlock();
                        }
                        line.append(String.format(" | %s %.3f ms/token", inPlace ? "in place" : "converted",
                                nanos / 1e6 / steps));
                    }
                }
                System.out.println(line);
            }
        } finally {
            DecodeAttentionSwitches.setF16InPlace(true);
        }
        System.out.printf("SmolLM2-135M attention shapes, %d cached tokens (+1 per step), F16 pages (%d)%n", context,
                sink == 42 ? 1 : 0);
    }

    private static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
