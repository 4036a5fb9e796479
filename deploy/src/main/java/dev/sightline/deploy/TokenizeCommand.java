package dev.sightline.deploy;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sightline tokenize}: runs the tokenizer topology (frames and audio to token batches) until Ctrl-C. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Run the tokenizer: frames and audio from Kafka through the vision and audio towers and the "
                + "four reduction stages (pixel gate, temporal drop, spatial merge, audio-guided allocation) into "
                + "token batches on the tokens topic, until Ctrl-C. Starts the embedded broker unless "
                + "--bootstrap-servers is given.")
final class TokenizeCommand implements Callable<Integer>, SightlineCli.Configured {

    @Mixin
    ConfigOptions config;

    @Override
    public ConfigOptions configOptions() {
        return config;
    }

    @Override
    public Integer call() throws Exception {
        SightlineConfig cfg = config.load(List.of());
        KafkaConnection kafka = KafkaConnection.open(cfg, BrokerCommand.DEFAULT_DATA_DIR, false);
        TokenizerApp app;
        try {
            Topics.ensure(kafka.bootstrapServers(), cfg);
            app = TokenizerApp.start(cfg, kafka.bootstrapServers(), cfg.get(Settings.STATE_DIR),
                    TokenizerApp.applicationId(cfg));
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        System.out.printf("tokenizer running on %s: %s + %s -> %s (vision/decoder model %s, audio tower %s). "
                        + "Ctrl-C to stop.%n", kafka.bootstrapServers(), cfg.topicNames().frames(),
                cfg.topicNames().audio(), cfg.topicNames().tokens(), app.modelDir, app.audioDir);
        if (ModelFolders.isTinyRandom(app.modelDir)) {
            System.out.println(ModelFolders.TINY_MODEL_NOTE);
        }
        UntilStopped.run("tokenize", "stopping tokenizer ...", app, kafka,      // app.close() commits and leaves the group
                () -> System.out.println("  " + app.tokenizer.state() + ": " + app.summary()));
        return 0;
    }
}
