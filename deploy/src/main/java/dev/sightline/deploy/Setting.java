package dev.sightline.deploy;

import java.util.Locale;
import java.util.function.Function;

/**
 * One configuration setting: its YAML key, environment variable, command-line flag, default and how its text is
 * turned into a value. The catalogue of all settings is {@link Settings}; the README's table is generated from it.
 *
 * @param key          dotted YAML path, e.g. {@code topics.prefix}
 * @param flag         command-line flag, e.g. {@code --topic-prefix}
 * @param defaultValue the default as text ({@code ""} means unset)
 * @param description  one line for the README and {@code --help}
 * @param parser       turns text into a value or throws {@link IllegalArgumentException} saying what was expected
 * @param perStream    whether an entry of {@code streams:} may override it
 */
public record Setting<T>(String key, String flag, String defaultValue, String description,
                         Function<String, T> parser, boolean perStream) {

    /** {@code SIGHTLINE_} and the key in upper case with dots and dashes as underscores. */
    public String envVar() {
        return "SIGHTLINE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The key as written inside a {@code streams:} entry: without the {@code ingest.} group. */
    public String streamKey() {
        return key.startsWith("ingest.") ? key.substring("ingest.".length()) : key;
    }

    /** Parses {@code text}, or fails with a message naming this setting, the text and its origin. */
    T parse(String text, String origin) {
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for setting '" + key + "' (" + origin + "): \"" + text + "\": "
                    + e.getMessage());
        }
    }
}
