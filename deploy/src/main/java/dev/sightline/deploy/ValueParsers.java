package dev.sightline.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parsers settings use. Each failure message says what was expected, so the user can fix it at once. */
final class ValueParsers {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib|kb|mb|gb)?");

    private ValueParsers() {
    }

    static Function<String, String> text() {
        return s -> s;
    }

    static Function<String, Path> path() {
        return s -> s.isEmpty() ? null : Path.of(s);
    }

    static Function<String, Integer> intIn(int min, int max) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            }
            return v;
        };
    }

    static Function<String, Double> positiveDouble(int max) {
        return s -> {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number greater than 0 and at most " + max);
            }
            if (!(v > 0 && v <= max)) {
                throw new IllegalArgumentException("expected a number greater than 0 and at most " + max);
            }
            return v;
        };
    }

    /** A size in bytes: {@code 8388608}, {@code 8MiB}, {@code 512KiB} (KB/MB/GB are read as powers of 1024 too). */
    static Function<String, Integer> byteSize(long min, long max) {
        return s -> {
            Matcher m = SIZE.matcher(s.toLowerCase(Locale.ROOT));
            String expected = "expected a size in bytes from " + min + " to " + max + " (e.g. 8388608 or 8MiB)";
            if (!m.matches()) {
                throw new IllegalArgumentException(expected);
            }
            long v;
            try {
                v = Math.multiplyExact(Long.parseLong(m.group(1)), unit(m.group(2)));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(expected);
            }
            return (int) v;
        };
    }

    /** A size in bytes as {@link #byteSize}, or {@code unlimited} (also {@code -1}), returned as -1. */
    static Function<String, Long> byteSizeOrUnlimited() {
        return s -> {
            if (s.equalsIgnoreCase("unlimited") || s.equals("-1")) {
                return -1L;
            }
            Matcher m = SIZE.matcher(s.toLowerCase(Locale.ROOT));
            String expected = "expected a size in bytes such as 10GiB, or 'unlimited'";
            if (!m.matches()) {
                throw new IllegalArgumentException(expected);
            }
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unit(m.group(2)));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
        };
    }

    private static long unit(String suffix) {
        return switch (suffix == null ? "b" : suffix) {
            case "kib", "kb" -> 1024L;
            case "mib", "mb" -> 1024L * 1024;
            case "gib", "gb" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
    }

    /** A positive duration: {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT5S}. */
    static Function<String, Duration> positiveDuration() {
        return s -> {
            String expected = "expected a positive duration such as 500ms, 5s, 2m or 1h";
            Duration d;
            Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                long millisPerUnit = switch (m.group(2)) {
                    case "ms" -> 1L;
                    case "s" -> 1_000L;
                    case "m" -> 60_000L;
                    default -> 3_600_000L;
                };
                d = Duration.ofMillis(Math.round(amount * millisPerUnit));
            } else if (s.toUpperCase(Locale.ROOT).startsWith("PT")) {
                try {
                    d = Duration.parse(s.toUpperCase(Locale.ROOT));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(expected);
                }
            } else {
                throw new IllegalArgumentException(expected);
            }
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(expected);
            }
            return d;
        };
    }

    /** A count of attempts (1 or more), or {@code forever} (also {@code -1}) for no limit, returned as -1. */
    static Function<String, Integer> attemptsOrForever() {
        return s -> {
            if (s.equalsIgnoreCase("forever") || s.equals("-1")) {
                return -1;
            }
            try {
                int v = Integer.parseInt(s);
                if (v >= 1) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through to the message
            }
            throw new IllegalArgumentException("expected a number of attempts (1 or more) or 'forever'");
        };
    }

    /** {@code true}/{@code false} (also yes/no, on/off). */
    static Function<String, Boolean> bool() {
        return s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    /** One of a fixed set of words, case-insensitive, returned in lower case. */
    static Function<String, String> oneOf(String... choices) {
        return s -> {
            String lower = s.toLowerCase(Locale.ROOT);
            for (String c : choices) {
                if (c.equals(lower)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", Arrays.asList(choices)));
        };
    }

    /** A size that must be a real amount (for use after {@link #byteSizeOrUnlimited()}). */
    static Long positive(Long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("expected a positive size such as 512MiB");
        }
        return bytes;
    }

    /** A kv-memory policy name as kv-memory's {@code Policies.byName} reads it; its own error lists the known ones. */
    static Function<String, String> policy() {
        return s -> {
            dev.sightline.kv.Policies.byName(s);
            return s;
        };
    }
}
