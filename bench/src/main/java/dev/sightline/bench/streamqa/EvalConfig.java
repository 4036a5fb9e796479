package dev.sightline.bench.streamqa;

import dev.sightline.kv.PageFormat;

/**
 * One KV configuration of the evaluation grid: how the stream's memory is kept.
 *
 * @param policy  kv-memory policy name; {@link #DENSE} for the unpaged full cache, {@code full} for the paged one,
 *                {@link #NO_STREAM} for the questions alone
 * @param budget  the KV budget (null for the references, which are unbounded)
 * @param format  page format (F16 for {@link #DENSE}, which stores floats)
 * @param stages  whether the tokenizer's reduction stages were on
 * @param frames  stream length in seconds
 */
public record EvalConfig(String policy, EvalBudget budget, PageFormat format, boolean stages, int frames) {

    /** The reference that keeps everything in float arrays on the heap ({@code DenseKvSequence}). */
    public static final String DENSE = "dense";
    /** The floor: the questions asked with no stream at all (only the opened user turn), on the dense store. */
    public static final String NO_STREAM = "no-stream";
    /** The paged full cache (kv-memory's {@code full} policy): keeps everything, in the asked page format. */
    public static final String FULL = "full";

    /** Whether this is a reference row (the full cache, unbounded). */
    public boolean reference() {
        return budget == null;
    }

    public String formatLabel() {
        return policy.equals(DENSE) || policy.equals(NO_STREAM) ? "f32"
                : format.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A name fit for a file: {@code 16s-stages-off-f16-adakv_snapkv-25pct}. */
    public String slug() {
        return frames + "s-stages-" + (stages ? "on" : "off") + "-" + formatLabel() + "-"
                + policy.replace(':', '_') + "-" + (budget == null ? "unbounded" : budget.label().replace("%", "pct"));
    }
}
