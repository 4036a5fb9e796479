package dev.sightline.runtime;

import dev.sightline.kv.KvPool;
import dev.sightline.protocol.TopicSetup;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The streaming runtime: starts the sessions' Kafka Streams application and the HTTP server, and is the handle that
 * stops them.
 *
 * <pre>
 *   try (StreamingRuntime rt = StreamingRuntime.start(RuntimeConfig.builder(bootstrap, stateDir)
 *           .modelDir(Path.of("models/smolvlm")).build())) {
 *       rt.awaitRunning(Duration.ofSeconds(60));
 *       ... questions on the queries topic or POST /v1/chat/completions on rt.httpPort() ...
 *   }
 * </pre>
 */
public final class StreamingRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingRuntime.class);

    private final RuntimeConfig config;
    private final SessionModel model;
    private final boolean ownsModel;
    private final KvPool pool;
    private final SessionRegistry registry;
    private final RuntimeMetrics metrics;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics kafkaMetrics;
    private final HttpApi http;
    private final Admin admin;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private StreamingRuntime(RuntimeConfig config, SessionModel model, boolean ownsModel) {
        this.config = config;
        this.model = model;
        this.ownsModel = ownsModel;
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state folder " + config.stateDir(), e);
        }
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()));
        List<String> topics = new ArrayList<>(config.topics().all());
        topics.add(config.incidentsTopic());
        TopicSetup.ensureTopics(admin, topics, config.topicSettings());

        this.pool = KvPool.allocate(config.poolBytes(), config.pageBytes());
        this.registry = new SessionRegistry();
        this.metrics = new RuntimeMetrics(registry, pool);
        this.streams = new KafkaStreams(RuntimeTopology.build(config, model, pool, registry, metrics),
                streamsProperties(config));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it (its tasks restore from their checkpoints)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        this.kafkaMetrics = new KafkaStreamsMetrics(streams);
        kafkaMetrics.bindTo(metrics.registry);
        streams.start();
        this.http = config.httpPort() < 0 ? null : HttpApi.start(config.httpPort(), this);
        LOG.info("streaming runtime {} started: model {}, pool {} bytes, HTTP {}", config.applicationId(),
                model.modelId(), pool.capacityBytes(), http == null ? "off" : "port " + http.port());
    }

    /** Starts the runtime with the model in {@link RuntimeConfig#modelDir()}. */
    public static StreamingRuntime start(RuntimeConfig config) {
        if (config.modelDir() == null) {
            throw new IllegalArgumentException("no model folder configured (RuntimeConfig.modelDir)");
        }
        SessionModel model = DecoderSessionModel.load(config.modelDir());
        try {
            return new StreamingRuntime(config, model, true);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Starts the runtime with a model the caller loaded (and closes). */
    public static StreamingRuntime start(RuntimeConfig config, SessionModel model) {
        return new StreamingRuntime(config, model, false);
    }

    static Properties streamsProperties(RuntimeConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("streams").toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicSettings().replicationFactor());
        // Inference runs inside the transaction: few records per poll, and a transaction timeout sized for the
        // slowest record (a batch prefill or an answer of maxTokensLimit tokens) times those records.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 20);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                (int) Math.max(300_000, 2 * config.transactionTimeout().toMillis()));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                config.topicSettings().maxMessageBytes());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) config.transactionTimeout().toMillis());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                config.topicSettings().maxMessageBytes());
        p.putAll(config.streamsOverrides());
        return p;
    }

    // ------------------------------------------------------------------------------------------------ handle

    public RuntimeConfig config() {
        return config;
    }

    /** The HTTP port (the real one when configured as 0), or -1 without HTTP. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until the Kafka Streams application is running; false on timeout or failure. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State s = streams.state();
            if (s == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The sessions on this instance now. */
    public List<SessionStatus> sessions() {
        return registry.statuses();
    }

    /** Streams refused admission, with the reason. */
    public Map<String, String> refusedStreams() {
        return registry.refusals();
    }

    /** The metrics in Prometheus text format. */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    SessionModel model() {
        return model;
    }

    SessionRegistry registry() {
        return registry;
    }

    RuntimeMetrics metrics() {
        return metrics;
    }

    /** Model loaded and the application running against a reachable broker. */
    boolean ready() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Stops HTTP, then the application (its tasks checkpoint their sessions as they close), leaving the consumer
     * group so another instance takes the streams over at once instead of after the session timeout. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (http != null) {
            http.stop();
        }
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        kafkaMetrics.close();
        admin.close(Duration.ofSeconds(5));
        pool.close();
        if (ownsModel) {
            model.close();
        }
        LOG.info("streaming runtime {} stopped", config.applicationId());
    }
}
