package dev.sightline.bench.streamqa;

import java.util.Locale;

/**
 * A KV budget as the evaluation is asked for it: a fraction of the full cache's bytes ({@code 25%} or {@code 0.25};
 * the full cache being the F16 full cache of the stream length evaluated) or an absolute size in bytes
 * ({@code 262144}, {@code 256KiB}, {@code 1MiB}).
 *
 * @param fraction of the full cache's bytes, in (0, 1]; 0 when {@code bytes} is given
 * @param bytes    absolute bytes, &gt; 0; 0 when {@code fraction} is given
 */
public record EvalBudget(double fraction, long bytes) {

    public EvalBudget {
        if (bytes == 0 && !(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a budget fraction must be in (0, 1] of the full cache, got "
                    + fraction);
        }
        if (bytes < 0 || bytes > 0 && fraction != 0) {
            throw new IllegalArgumentException("a budget is either a fraction or a positive number of bytes, got "
                    + fraction + " and " + bytes);
        }
    }

    public static EvalBudget ofFraction(double fraction) {
        return new EvalBudget(fraction, 0);
    }

    public static EvalBudget ofBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a budget in bytes must be positive, got " + bytes);
        }
        return new EvalBudget(0, bytes);
    }

    /**
     * Parses {@code 25%}, {@code 0.25} (fractions of the full cache), or {@code 262144}, {@code 256KiB},
     * {@code 2MiB}, {@code 300KB} (bytes). Throws with a message that says what was wrong.
     */
    public static EvalBudget parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty budget; give a fraction (25% or 0.25) or bytes (262144, 256KiB)");
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("%")) {
                double pct = Double.parseDouble(s.substring(0, s.length() - 1).strip());
                if (!(pct > 0 && pct <= 100)) {
                    throw new IllegalArgumentException("budget '" + text + "' must be above 0% and at most 100% of "
                            + "the full cache");
                }
                return ofFraction(pct / 100);
            }
            long unit = 1;
            String num = s;
            for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
                    {"kb", "1000"}, {"mb", "1000000"}, {"gb", "1000000000"}, {"b", "1"}}) {
                if (s.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    num = s.substring(0, s.length() - u[0].length()).strip();
                    break;
                }
            }
            if (unit == 1 && (num.contains(".") || num.contains("e"))) {
                double f = Double.parseDouble(num);
                if (!(f > 0 && f <= 1)) {
                    throw new IllegalArgumentException("budget fraction '" + text + "' must be in (0, 1] of the full "
                            + "cache (bytes are whole numbers, e.g. 262144 or 256KiB)");
                }
                return ofFraction(f);
            }
            double n = Double.parseDouble(num) * unit;
            if (n <= 0) {
                throw new IllegalArgumentException("budget '" + text + "' must be positive");
            }
            if (unit == 1 && n == 1) {
                return ofFraction(1);   // "1" reads as the whole full cache
            }
            long bytes = Math.round(n);
            if (bytes < StreamQaEvaluation.PAGE_BYTES) {
                throw new IllegalArgumentException("budget '" + text + "' is " + bytes + " bytes, less than one KV "
                        + "page (" + StreamQaEvaluation.PAGE_BYTES + " B)" + (unit == 1 ? "; did you mean " + num
                        + "%?" : ""));
            }
            if (bytes > StreamQaEvaluation.UNBOUNDED) {
                throw new IllegalArgumentException("budget '" + text + "' is more than the evaluation's "
                        + (StreamQaEvaluation.UNBOUNDED >> 20) + " MiB of KV memory per configuration");
            }
            return ofBytes(bytes);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("budget '" + text + "' is neither a fraction (25%, 0.25) nor a size "
                    + "in bytes (262144, 256KiB, 1MiB)");
        }
    }

    /** Whether this is a fraction of the full cache. */
    public boolean isFraction() {
        return bytes == 0;
    }

    /** The budget in bytes, given the full cache's bytes. */
    public long bytesOf(long fullCacheBytes) {
        return isFraction() ? Math.round(fraction * fullCacheBytes) : bytes;
    }

    /** {@code 25%} or {@code 262144B}: the label tables and file names use. */
    public String label() {
        if (!isFraction()) {
            return bytes + "B";
        }
        double pct = fraction * 100;
        return (pct == Math.rint(pct) ? String.valueOf((long) pct) : String.valueOf(pct)) + "%";
    }

    @Override
    public String toString() {
        return label();
    }
}
