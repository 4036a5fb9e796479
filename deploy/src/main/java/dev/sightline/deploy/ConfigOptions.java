package dev.sightline.deploy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The configuration options every command shares: {@code --config FILE} and one flag per {@link Setting}. The
 * per-setting flags are added by {@link #addSettingFlags} from the catalogue rather than declared one by one, so
 * a new setting gets its flag, environment variable and README row at once.
 */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file (default: $" + ConfigLoader.CONFIG_ENV
                    + ", else ./sightline.yaml if present).")
    Path configFile;

    /** Setting key to the text given with its flag. */
    private final Map<String, String> flagValues = new LinkedHashMap<>();

    /** Adds one {@code --flag VALUE} option per setting to {@code spec}, recording given values here. */
    void addSettingFlags(CommandSpec spec) {
        for (Setting<?> s : Settings.ALL) {
            ISetter setter = new ISetter() {
                @Override
                public <T> T set(T value) {
                    if (value != null) {
                        flagValues.put(s.key(), value.toString());
                    }
                    return null;
                }
            };
            String def = s.defaultValue().isEmpty() ? "unset" : s.defaultValue();
            spec.addOption(OptionSpec.builder(s.flag())
                    .paramLabel(valueLabel(s))
                    .type(String.class)
                    .setter(setter)
                    .description(s.description().replace("`", "") + " [" + s.key() + ", $" + s.envVar()
                            + ", default " + def + "]")
                    .build());
        }
    }

    /** Loads the configuration: file (per {@link ConfigLoader#chooseFile}), environment, then these flags. */
    public SightlineConfig load(List<String> streamFlags) {
        return load(streamFlags, System.getenv());
    }

    SightlineConfig load(List<String> streamFlags, Map<String, String> env) {
        Path file = ConfigLoader.chooseFile(configFile, env).orElse(null);
        SightlineConfig config = ConfigLoader.load(file, env, flagValues, streamFlags);
        config.warnings().forEach(w -> System.err.println("warning: " + w));
        return config;
    }

    private static String valueLabel(Setting<?> s) {
        String last = s.key().substring(s.key().lastIndexOf('.') + 1);
        return "<" + last + ">";
    }
}
