package dev.sightline.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sightline broker}: runs the embedded single-node Kafka broker, with Sightline's topics, until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) on 127.0.0.1 with Sightline's topics until Ctrl-C.")
final class BrokerCommand implements Callable<Integer>, SightlineCli.Configured {

    static final Path DEFAULT_DATA_DIR = Path.of("sightline-data", "kafka");

    @Mixin
    ConfigOptions config;

    @Override
    public ConfigOptions configOptions() {
        return config;
    }

    @Override
    public Integer call() throws Exception {
        SightlineConfig cfg = config.load(List.of());
        if (cfg.bootstrapServers().isPresent()) {
            throw new ConfigException("'broker' runs its own broker; kafka.bootstrap-servers (" + cfg.origin(
                    Settings.BOOTSTRAP_SERVERS) + ") is for the other commands");
        }
        KafkaConnection kafka = KafkaConnection.open(cfg, DEFAULT_DATA_DIR, false);
        // Ctrl-C runs this hook; the JVM exits once the broker has flushed and closed its logs.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping broker ...");
            kafka.close();
        }, "sightline-broker-stop"));
        Topics.ensure(kafka.bootstrapServers(), cfg);
        EmbeddedKafkaBroker broker = kafka.embeddedBroker().orElseThrow();
        System.out.printf("Kafka broker ready on %s (data in %s, message.max.bytes=%d). Ctrl-C to stop.%n",
                broker.bootstrapServers(), broker.dataDir().toAbsolutePath(), cfg.maxMessageBytes());
        System.out.println("topics: " + String.join(", ", cfg.topicNames().all()));
        broker.awaitShutdown();
        return 0;
    }
}
