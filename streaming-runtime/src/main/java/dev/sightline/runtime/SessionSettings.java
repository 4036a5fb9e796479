package dev.sightline.runtime;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.Policies;

/**
 * How one stream's memory is set up. Every stream gets {@link RuntimeConfig#defaults()} unless
 * {@link RuntimeConfig#perStream()} names it.
 *
 * @param budgetBytes      the session's fixed KV budget, reserved whole from the shared pool when the stream arrives
 * @param policy           kv-memory compression policy by name ({@link Policies#byName}), e.g. {@code infinipot-v}
 * @param format           page format by name: f16, q8, kivi4, kivi2
 * @param highWatermark    compress when the memory reaches this fraction of the budget (bytes)
 * @param lowWatermark     compress down to this fraction of the budget
 * @param recentWindow     newest tokens never evicted
 * @param multiTurn        questions keep a bounded dialogue (kv-memory's turn region) instead of a throw-away overlay
 */
public record SessionSettings(long budgetBytes, String policy, String format, double highWatermark,
                              double lowWatermark, int recentWindow, boolean multiTurn) {

    public SessionSettings {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("session budget must be positive, got " + budgetBytes + " bytes");
        }
        Policies.byName(policy);          // fail at configuration time, naming the known policies
        PageFormat.byName(format);
        // the space above the high watermark is the room questions have: their tokens live in an overlay
        if (!(highWatermark > 0 && highWatermark < 1 && lowWatermark > 0 && lowWatermark < highWatermark)) {
            throw new IllegalArgumentException("watermarks must satisfy 0 < low < high < 1 (fractions of the budget),"
                    + " got low=" + lowWatermark + " high=" + highWatermark);
        }
        if (recentWindow < 0) {
            throw new IllegalArgumentException("recentWindow must be >= 0, got " + recentWindow);
        }
    }

    /** 64 MiB, InfiniPot-V, F16, compress at 70% down to 50%: leaves 30% of the budget for questions. */
    public static SessionSettings defaults() {
        return new SessionSettings(64L << 20, "infinipot-v", "f16", 0.70, 0.50, 32, false);
    }

    public SessionSettings withBudget(long bytes) {
        return new SessionSettings(bytes, policy, format, highWatermark, lowWatermark, recentWindow, multiTurn);
    }

    public SessionSettings withPolicy(String name) {
        return new SessionSettings(budgetBytes, name, format, highWatermark, lowWatermark, recentWindow, multiTurn);
    }

    public SessionSettings withWatermarks(double high, double low) {
        return new SessionSettings(budgetBytes, policy, format, high, low, recentWindow, multiTurn);
    }

    public SessionSettings withRecentWindow(int tokens) {
        return new SessionSettings(budgetBytes, policy, format, highWatermark, lowWatermark, tokens, multiTurn);
    }

    public SessionSettings withMultiTurn(boolean on) {
        return new SessionSettings(budgetBytes, policy, format, highWatermark, lowWatermark, recentWindow, on);
    }

    /** kv-memory's configuration for this session. */
    KvMemoryConfig toKvConfig() {
        return KvMemoryConfig.builder(budgetBytes)
                .format(PageFormat.byName(format))
                .policy(policy)
                .watermarkBytes((long) (budgetBytes * highWatermark), (long) (budgetBytes * lowWatermark))
                .recentWindow(recentWindow)
                .build();
    }
}
