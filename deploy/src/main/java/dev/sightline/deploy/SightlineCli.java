package dev.sightline.deploy;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The {@code sightline} command. Each subcommand is a class listed below; registering one is adding it to
 * {@code subcommands}. A subcommand that implements {@link Configured} gets the shared configuration flags.
 */
@Command(name = "sightline", mixinStandardHelpOptions = true, version = "sightline 0.1.0-SNAPSHOT",
        description = "Kafka-native streaming video and audio inference.",
        subcommands = {
                BrokerCommand.class,
                IngestCommand.class,
                TokenizeCommand.class,
                RuntimeCommand.class,
                GenerateMediaCommand.class,
                DemoCommand.class,
                LogitsCommand.class,
                GenerateCommand.class,
                EvalCommand.class,
                ConfigCommand.class,
                HelpCommand.class,
        })
public final class SightlineCli implements Runnable {

    /** A subcommand that reads the configuration and so takes {@code --config} and the per-setting flags. */
    public interface Configured {
        ConfigOptions configOptions();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand wired, its configuration flags added and clear error handling. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SightlineCli());
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommand() instanceof Configured c) {
                c.configOptions().addSettingFlags(sub.getCommandSpec());
            }
            // The command's own options first, then the settings in catalogue order.
            sub.getCommandSpec().usageMessage().abbreviateSynopsis(true).sortOptions(false).longOptionsMaxWidth(32);
        }
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            // Configuration and start-up problems are the user's to fix: one clear line, no stack trace.
            // -Dsightline.stacktrace=true (in SIGHTLINE_JAVA_OPTS) shows where it came from.
            if (e instanceof ConfigException || e instanceof IllegalStateException
                    || e instanceof IllegalArgumentException) {
                cmd.getErr().println("sightline " + cmd.getCommandName() + ": " + e.getMessage());
                if (Boolean.getBoolean("sightline.stacktrace")) {
                    e.printStackTrace(cmd.getErr());
                }
                return 2;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
