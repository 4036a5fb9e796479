package dev.sightline.ingest;

import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import dev.sightline.protocol.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ingests many streams into Kafka from one process. Each stream runs on its own threads; one failing (a corrupt
 * file, an unreachable camera) ends in a FAILED event and never affects the others.
 *
 * <pre>
 * try (IngestService ingest = IngestService.connect("localhost:9092", TopicNames.defaults(),
 *         TopicSettings.singleBroker(), listener)) {
 *     ingest.start(StreamSource.of("cam-1", "rtsp://camera/stream"));
 *     ingest.start(StreamSource.of("clip", "/data/clip.mp4"));
 *     ingest.awaitTermination(Duration.ofHours(1));
 * }
 * </pre>
 *
 * Records: {@code VideoFrame}s on the frames topic, {@code AudioChunk}s on the audio topic, a {@code StreamEvent}
 * per state change or gap on the events topic, {@code ErrorRecord}s for what could not be sent on the errors
 * topic; all keyed by stream id.
 */
public final class IngestService implements AutoCloseable {
    private final KafkaSink sink;
    private final IngestListener listener;
    private final Producer<String, byte[]> ownedProducer;
    private final Map<String, StreamWorker> streams = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Uses a producer the caller owns (and closes). It must be idempotent with {@code acks=all}
     * ({@link KafkaClientConfigs#producer}) and allow records of {@code maxValueBytes}.
     *
     * @param maxValueBytes the largest serialized frame or chunk to send ({@link TopicSettings#maxValueBytes()});
     *                      larger ones are counted as dropped and reported on the errors topic
     */
    public IngestService(Producer<String, byte[]> producer, TopicNames topics, int maxValueBytes,
                         IngestListener listener) {
        this(producer, topics, maxValueBytes, listener, null);
    }

    private IngestService(Producer<String, byte[]> producer, TopicNames topics, int maxValueBytes,
                          IngestListener listener, Producer<String, byte[]> owned) {
        this.sink = new KafkaSink(producer, topics, maxValueBytes);
        this.listener = listener == null ? IngestListener.NONE : listener;
        this.ownedProducer = owned;
    }

    /**
     * Creates the topics if missing ({@link TopicSetup}) and an idempotent {@code acks=all} producer sized to
     * the topics' limit, which {@link #close()} closes.
     */
    public static IngestService connect(String bootstrapServers, TopicNames topics, TopicSettings settings,
                                        IngestListener listener) {
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(bootstrapServers))) {
            TopicSetup.ensureTopics(admin, topics, settings);
        }
        var props = KafkaClientConfigs.producer(bootstrapServers, settings.maxMessageBytes());
        props.put("client.id", "sightline-ingest");
        Producer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer());
        return new IngestService(producer, topics, settings.maxValueBytes(), listener, producer);
    }

    /**
     * Starts ingesting a stream. A stream id may be reused once its previous run has ended.
     *
     * @throws IllegalStateException if a stream with this id is running, or the service is closed
     */
    public synchronized IngestedStream start(StreamSource source) {
        if (closed) {
            throw new IllegalStateException("ingest service is closed");
        }
        StreamWorker existing = streams.get(source.id());
        if (existing != null && !existing.terminated()) {
            throw new IllegalStateException("stream " + source.id() + " is already running");
        }
        StreamWorker worker = new StreamWorker(source, sink, listener);
        streams.put(source.id(), worker);
        worker.start();
        return worker;
    }

    /** Starts every source; one that cannot start (duplicate id) does not stop the rest. */
    public List<IngestedStream> startAll(List<StreamSource> sources) {
        List<IngestedStream> started = new ArrayList<>();
        for (StreamSource s : sources) {
            started.add(start(s));
        }
        return started;
    }

    public synchronized List<IngestedStream> streams() {
        return List.copyOf(streams.values());
    }

    public synchronized Optional<IngestedStream> stream(String id) {
        return Optional.ofNullable(streams.get(id));
    }

    /** Stops one stream (it ends with ENDED after sending what is pending); false if unknown. */
    public boolean stop(String id) {
        Optional<IngestedStream> s = stream(id);
        s.ifPresent(IngestedStream::stop);
        return s.isPresent();
    }

    /** Waits until every stream started so far is ENDED or FAILED; true if all are. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (IngestedStream s : streams()) {
            long left = deadline - System.nanoTime();
            if (!s.awaitTermination(Duration.ofNanos(Math.max(0, left)))) {
                return false;
            }
        }
        return true;
    }

    /** Stats of every stream. */
    public List<StreamStats> stats() {
        return streams().stream().map(IngestedStream::stats).toList();
    }

    public boolean allTerminal() {
        return streams().stream().allMatch(s -> s.state().terminal());
    }

    /**
     * Stops every stream, waits (up to a minute) for them to send what is pending, and closes the producer if
     * this service created it.
     */
    @Override
    public void close() {
        List<IngestedStream> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(streams.values());
        }
        all.forEach(IngestedStream::stop);
        try {
            awaitTermination(Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownedProducer != null) {
            ownedProducer.close(Duration.ofSeconds(30));
        }
    }

}
