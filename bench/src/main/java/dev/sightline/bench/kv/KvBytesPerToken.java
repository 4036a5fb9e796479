package dev.sightline.bench.kv;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvStats;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;

/**
 * Prints the bytes one token takes per format, as the session's budget counts them (pages with their slack,
 * quantization scales, token descriptions and slot references), for a SmolVLM2-256M-like geometry at 1024 and
 * 4096 tokens. Not a timing, so a plain main: {@code java -cp ... dev.sightline.bench.kv.KvBytesPerToken}.
 */
public final class KvBytesPerToken {

    private KvBytesPerToken() {
    }

    public static void main(String[] args) {
        var g = KvBenchSupport.SMOLVLM2_256M;
        System.out.printf("geometry %s, pages of %d bytes%n", g, KvPool.DEFAULT_PAGE_BYTES);
        System.out.printf("%-6s %14s %16s %16s %12s%n", "format", "page B/tok/head", "session B/tok@1k",
                "session B/tok@4k", "vs F16@4k");
        double f16 = 0;
        for (PageFormat format : PageFormat.values()) {
            double[] perToken = new double[2];
            int[] sizes = {1024, 4096};
            for (int s = 0; s < sizes.length; s++) {
                try (KvPool pool = KvPool.allocate(512L << 20);
                     PagedKvSequence seq = PagedKvSequence.open(pool, g, KvMemoryConfig.builder(480L << 20)
                             .format(format).policy("full").build())) {
                    int frames = sizes[s] / 64;
                    for (int f = 0; f < frames; f++) {
                        KvBenchSupport.Block.random(g, 64, f).store(seq, KvBenchSupport.frame(seq.nextPosition(), f, 64));
                    }
                    KvStats stats = seq.stats();
                    perToken[s] = (double) stats.usedBytes() / stats.tokens();
                }
            }
            if (format == PageFormat.F16) {
                f16 = perToken[1];
            }
            System.out.printf("%-6s %14.1f %16.0f %16.0f %11.2fx%n", format, format.bytesPerTokenPerHead(g.headDim()),
                    perToken[0], perToken[1], f16 / perToken[1]);
        }
    }
}
