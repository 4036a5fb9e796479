package dev.sightline.deploy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converters for the commands' own options (the settings have theirs in {@link ValueParsers}). */
final class CliConverters {

    private CliConverters() {
    }

    /** A frame size written {@code WIDTHxHEIGHT}, e.g. {@code 320x240}. */
    record Size(int width, int height) {
    }

    static final class SizeConverter implements ITypeConverter<Size> {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");

        @Override
        public Size convert(String value) {
            Matcher m = SIZE.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException("expected WIDTHxHEIGHT such as 320x240, got '" + value + "'");
            }
            return new Size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return ValueParsers.positiveDuration().apply(value.trim());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + ", got '" + value + "'");
            }
        }
    }
}
