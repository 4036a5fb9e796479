package dev.sightline.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.sightline.ingest.IngestListener;
import dev.sightline.ingest.IngestService;
import dev.sightline.ingest.StreamSource;
import dev.sightline.ingest.StreamStats;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sightline ingest}: runs the configured streams into Kafka until they end (files) or Ctrl-C. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest the streams of the configuration file and of --stream flags into Kafka until every "
                + "stream has ended (files) or Ctrl-C.")
final class IngestCommand implements Callable<Integer>, SightlineCli.Configured {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    @Mixin
    ConfigOptions config;

    @Option(names = "--stream", paramLabel = "ID=URL",
            description = "A stream to ingest: a file, rtsp://, rtmp://, http(s):// (HLS) URL or /dev/videoN. "
                    + "Repeatable; adds to the streams: of the configuration file.")
    List<String> streams = new ArrayList<>();

    @Override
    public ConfigOptions configOptions() {
        return config;
    }

    @Override
    public Integer call() throws Exception {
        SightlineConfig cfg = config.load(streams);
        if (cfg.streams().isEmpty()) {
            throw new ConfigException("no streams to ingest: give --stream id=url, or a streams: list in the "
                    + "configuration file");
        }
        List<StreamSource> sources = StreamSources.of(cfg);
        KafkaConnection kafka = KafkaConnection.open(cfg, BrokerCommand.DEFAULT_DATA_DIR, false);
        IngestService ingest = IngestService.connect(kafka.bootstrapServers(), cfg.topicNames(), cfg.topicSettings(),
                new PrintingListener());
        CountDownLatch summarised = new CountDownLatch(1);
        Thread stop = new Thread(() -> {
            // Ctrl-C: stop reading and send what is pending; let the main thread print its summary; then close
            // Kafka last, so nothing accepted is lost.
            ingest.close();
            try {
                summarised.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kafka.close();
        }, "sightline-ingest-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        System.out.println("ingesting " + sources.size() + " stream(s) into " + kafka.bootstrapServers()
                + " (frames: " + cfg.topicNames().frames() + ", audio: " + cfg.topicNames().audio() + ")");
        ingest.startAll(sources);
        while (!ingest.awaitTermination(PROGRESS_EVERY)) {
            ingest.stats().forEach(s -> System.out.println("  " + line(s)));
        }
        ingest.close();
        List<StreamStats> finalStats = ingest.stats();
        System.out.println("done:");
        finalStats.forEach(s -> System.out.println("  " + line(s)));
        summarised.countDown();
        kafka.close();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running; it finds everything closed
        }
        return finalStats.stream().anyMatch(s -> s.state() == StreamState.FAILED) ? 1 : 0;
    }

    static String line(StreamStats s) {
        return String.format("%s %s: %d frames, %d audio chunks, %d KiB sent; %d dropped, %d gaps, %d reconnects%s",
                s.streamId(), s.state(), s.framesSent(), s.chunksSent(), s.bytesSent() / 1024,
                s.framesDropped() + s.chunksDropped(), s.gaps(), s.reconnects(),
                s.lastError() == null ? "" : " (last error: " + s.lastError() + ")");
    }

    /** Prints every state change, gap and error as it happens. */
    private static final class PrintingListener implements IngestListener {
        @Override
        public void onEvent(StreamEvent e) {
            System.out.println("  " + e.streamId() + " " + e.state() + (e.message() == null ? "" : ": " + e.message()));
        }

        @Override
        public void onError(String streamId, String message) {
            System.out.println("  " + streamId + " error: " + message);
        }
    }
}
