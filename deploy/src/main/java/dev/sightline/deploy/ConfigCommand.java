package dev.sightline.deploy;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sightline config}: prints the effective configuration, every setting with its value and where that value
 * came from, and the streams with what each overrides. For answering "why does it use that?" without guessing.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show the effective configuration: each setting's value and where it came from (default, "
                + "file, environment or flag), and the streams.")
final class ConfigCommand implements Callable<Integer>, SightlineCli.Configured {

    @Mixin
    ConfigOptions config;

    @Option(names = "--stream", paramLabel = "ID=URL", description = "A stream, as for 'ingest'. Repeatable.")
    List<String> streams = new ArrayList<>();

    @Override
    public ConfigOptions configOptions() {
        return config;
    }

    @Override
    public Integer call() {
        print(config.load(streams), System.out);
        return 0;
    }

    static void print(SightlineConfig cfg, PrintStream out) {
        int width = Settings.ALL.stream().mapToInt(s -> s.key().length()).max().orElse(20);
        for (Setting<?> s : Settings.ALL) {
            String text = cfg.texts().get(s).isEmpty() ? "(unset)" : cfg.texts().get(s);
            out.printf("%-" + width + "s  %-24s  %s%n", s.key(), text, cfg.origin(s));
        }
        out.println("streams:" + (cfg.streams().isEmpty() ? " (none)" : ""));
        for (StreamConfig stream : cfg.streams()) {
            out.printf("  %s  %s  (%s)%n", stream.id(), stream.url(), stream.origin());
            stream.overrides().forEach((setting, value) ->
                    out.printf("    %s = %s%n", setting.streamKey(), value));
            stream.ffmpegOptions().forEach((option, value) ->
                    out.printf("    ffmpeg %s = %s%n", option, value));
        }
    }
}
