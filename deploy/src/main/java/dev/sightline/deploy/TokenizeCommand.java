package dev.sightline.deploy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sightline tokenize}: runs the tokenizer topology (frames and audio to token batches) until Ctrl-C. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Run the tokenizer: frames and audio from Kafka through the vision and audio towers and the "
                + "four reduction stages (pixel gate, temporal drop, spatial merge, audio-guided allocation) into "
                + "token batches on the tokens topic, until Ctrl-C. Starts the embedded broker unless "
                + "--bootstrap-servers is given.")
final class TokenizeCommand implements Callable<Integer>, SightlineCli.Configured {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping tokenizer ...");
            app.close();    // commits what it processed and leaves the group
            kafka.close();
            stopped.countDown();
        }, "sightline-tokenize-stop"));
        System.out.printf("tokenizer running on %s: %s + %s -> %s (vision/decoder model %s, audio tower %s). "
                        + "Ctrl-C to stop.%n", kafka.bootstrapServers(), cfg.topicNames().frames(),
                cfg.topicNames().audio(), cfg.topicNames().tokens(), app.modelDir, app.audioDir);
        if (ModelFolders.isTinyRandom(app.modelDir)) {
            System.out.println(ModelFolders.TINY_MODEL_NOTE);
        }
        while (!stopped.await(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
            System.out.println("  " + app.tokenizer.state() + ": " + app.summary());
        }
        return 0;
    }
}
