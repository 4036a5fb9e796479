package dev.sightline.deploy;

import java.util.List;
import java.util.concurrent.Callable;

import dev.sightline.runtime.RuntimeConfig;
import dev.sightline.runtime.SessionStatus;
import dev.sightline.runtime.StreamingRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sightline runtime}: the streaming runtime (sessions, answers over Kafka and HTTP) until Ctrl-C. */
@Command(name = "runtime", mixinStandardHelpOptions = true,
        description = "Run the streaming runtime until Ctrl-C: one session per stream prefills its token batches "
                + "into a KV memory under a fixed budget and answers questions from the queries topic (answers "
                + "topic) and over HTTP (POST /v1/chat/completions, GET /v1/streams, /health/live, /health/ready, "
                + "/metrics). Starts the embedded broker unless --bootstrap-servers is given.")
final class RuntimeCommand implements Callable<Integer>, SightlineCli.Configured {

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
        StreamingRuntime runtime;
        try {
            Topics.ensure(kafka.bootstrapServers(), cfg);
            RuntimeConfig rc = RuntimeApp.config(cfg, kafka.bootstrapServers());
            runtime = StreamingRuntime.start(rc);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        RuntimeConfig rc = runtime.config();
        System.out.printf("runtime running on %s: %s + %s -> %s; model %s; budget %d bytes per stream, policy %s, "
                        + "%s pages of %d bytes, pool %d bytes; HTTP %s. Ctrl-C to stop.%n",
                kafka.bootstrapServers(), rc.topics().tokens(), rc.topics().queries(), rc.topics().answers(),
                rc.modelDir(), rc.defaults().budgetBytes(), rc.defaults().policy(), rc.defaults().format(),
                rc.pageBytes(), rc.poolBytes(), runtime.httpPort() < 0 ? "off"
                        : "on http://127.0.0.1:" + runtime.httpPort());
        if (ModelFolders.isTinyRandom(rc.modelDir())) {
            System.out.println(ModelFolders.TINY_MODEL_NOTE);
        }
        UntilStopped.run("runtime", "stopping runtime (sessions checkpoint their memory) ...", runtime, kafka, () -> {
            for (SessionStatus s : runtime.sessions()) {
                System.out.println("  " + line(s));
            }
            runtime.refusedStreams().forEach((id, why) -> System.out.println("  " + id + " refused: " + why));
        });
        return 0;
    }

    static String line(SessionStatus s) {
        return String.format("%s: %d frames, %d batches prefilled; %d tokens / %d of %d bytes kept (peak %d), "
                        + "%d compressions, %d questions, %d batches dropped", s.streamId(), s.frames(), s.batches(),
                s.tokensKept(), s.bytesKept(), s.budgetBytes(), s.peakBytes(), s.compressions(), s.questions(),
                s.droppedBatches());
    }
}
