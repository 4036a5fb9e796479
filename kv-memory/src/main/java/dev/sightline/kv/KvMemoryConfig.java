package dev.sightline.kv;

import java.util.Objects;

/**
 * How one session's KV memory behaves: its byte budget, page format, compression trigger and policy.
 *
 * <p>Compression uses hysteresis: when the memory reaches the <em>high watermark</em> |M| it is compressed down to the
 * <em>low watermark</em> |C|. Watermarks are counted in tokens per KV head (averaged over layers and heads, since heads
 * keep different numbers of tokens), or given in bytes and converted with the session's real page format. Pinned
 * tokens and the last {@code recentWindow} tokens are never evicted.
 *
 * @param budgetBytes       hard limit on the session's memory: pages (keys, values, quantization scales) plus
 *                          per-token metadata; an allocation that would pass it is refused
 * @param format            page format for keys and values
 * @param highWatermark     compress when the memory reaches this (tokens per head, or bytes; 0 = derive from budget)
 * @param lowWatermark      compress down to this (same unit; 0 = derive: 3/4 of the high watermark)
 * @param watermarksInBytes whether the watermarks are bytes rather than tokens per head
 * @param recentWindow      the newest tokens that are never evicted
 * @param observationWindow how many of a block's last queries count as the "window" attention statistics
 * @param dialogueTokens    size of the multi-turn dialogue region ({@link PagedKvSequence#turn()}); oldest dropped
 * @param policy            what to keep when compressing
 * @param seed              seed for randomised policies, so runs and restored snapshots are reproducible
 * @param compressionThreads how many threads a compression pass may use, one layer at a time each (the calling
 *                          thread and workers of the common fork-join pool); the pass is mostly moving page bytes,
 *                          which one core cannot do at the memory's full speed. The result is the same for any
 *                          count. Not part of a snapshot: a restored session gets the default, one per core.
 */
public record KvMemoryConfig(long budgetBytes, PageFormat format, long highWatermark, long lowWatermark,
                             boolean watermarksInBytes, int recentWindow, int observationWindow,
                             int dialogueTokens, CompressionPolicy policy, long seed, int compressionThreads) {

    /** A configuration whose passes use one thread per core. */
    public KvMemoryConfig(long budgetBytes, PageFormat format, long highWatermark, long lowWatermark,
                          boolean watermarksInBytes, int recentWindow, int observationWindow, int dialogueTokens,
                          CompressionPolicy policy, long seed) {
        this(budgetBytes, format, highWatermark, lowWatermark, watermarksInBytes, recentWindow, observationWindow,
                dialogueTokens, policy, seed, defaultCompressionThreads());
    }

    /** One thread per core. */
    public static int defaultCompressionThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public KvMemoryConfig {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(policy, "policy");
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("KV budget must be positive, got " + budgetBytes + " bytes");
        }
        if (highWatermark < 0 || lowWatermark < 0) {
            throw new IllegalArgumentException("watermarks must be >= 0, got high=" + highWatermark + " low="
                    + lowWatermark);
        }
        if (highWatermark > 0 && lowWatermark >= highWatermark) {
            throw new IllegalArgumentException("low watermark (" + lowWatermark + ") must be below the high watermark ("
                    + highWatermark + ")");
        }
        if (dialogueTokens < 0) {
            throw new IllegalArgumentException("dialogueTokens must be >= 0, got " + dialogueTokens);
        }
        if (compressionThreads < 1) {
            throw new IllegalArgumentException("compressionThreads must be >= 1, got " + compressionThreads);
        }
        if (recentWindow < 0 || observationWindow < 1) {
            throw new IllegalArgumentException("recentWindow must be >= 0 and observationWindow >= 1, got "
                    + recentWindow + " and " + observationWindow);
        }
    }

    public static Builder builder(long budgetBytes) {
        return new Builder(budgetBytes);
    }

    /** Builder with defaults: F16 pages, InfiniPot-V, watermarks derived from the budget, 32-token recent window. */
    public static final class Builder {
        private final long budgetBytes;
        private PageFormat format = PageFormat.F16;
        private long high;
        private long low;
        private boolean bytes;
        private int recentWindow = 32;
        private int observationWindow = 32;
        private int dialogueTokens = 512;
        private CompressionPolicy policy = Policies.byName("infinipot-v");
        private long seed = 42;
        private int compressionThreads = defaultCompressionThreads();

        private Builder(long budgetBytes) {
            this.budgetBytes = budgetBytes;
        }

        public Builder format(PageFormat format) {
            this.format = format;
            return this;
        }

        /** Watermarks in tokens per KV head. */
        public Builder watermarkTokens(int high, int low) {
            this.high = high;
            this.low = low;
            this.bytes = false;
            return this;
        }

        /** Watermarks in bytes of the session's memory. */
        public Builder watermarkBytes(long high, long low) {
            this.high = high;
            this.low = low;
            this.bytes = true;
            return this;
        }

        public Builder recentWindow(int tokens) {
            this.recentWindow = tokens;
            return this;
        }

        public Builder observationWindow(int queries) {
            this.observationWindow = queries;
            return this;
        }

        public Builder dialogueTokens(int tokens) {
            this.dialogueTokens = tokens;
            return this;
        }

        public Builder policy(CompressionPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder policy(String name) {
            this.policy = Policies.byName(name);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Threads a compression pass may use (default: one per core). */
        public Builder compressionThreads(int threads) {
            this.compressionThreads = threads;
            return this;
        }

        public KvMemoryConfig build() {
            return new KvMemoryConfig(budgetBytes, format, high, low, bytes, recentWindow, observationWindow,
                    dialogueTokens, policy, seed, compressionThreads);
        }
    }
}
