package dev.sightline.runtime;

import dev.sightline.kv.KvPool;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The runtime's Kafka Streams topology (Processor API):
 *
 * <pre>
 *   tokens  ──┐                          ┌─▶ answers
 *             ├─▶ sessions (one per task) ├─▶ incidents
 *   queries ──┘                          ├─▶ events   (session opened, admission refused, gaps)
 *                                        └─▶ errors   (bad batches and queries)
 * </pre>
 *
 * Both sources are read as raw bytes so that a bad record is reported by the processor instead of failing the
 * deserializer; both are keyed by stream id and must have the same number of partitions (co-partitioned).
 */
final class RuntimeTopology {
    static final String IDENTITY_STORE = "runtime-identity";

    private RuntimeTopology() {
    }

    static Topology build(RuntimeConfig config, SessionModel model, KvPool pool, SessionRegistry registry,
                          RuntimeMetrics metrics) {
        Topology t = new Topology();
        t.addSource("tokens", new StringDeserializer(), new ByteArrayDeserializer(), config.topics().tokens());
        t.addSource("queries", new StringDeserializer(), new ByteArrayDeserializer(), config.topics().queries());
        t.addProcessor("sessions", () -> new SessionProcessor(config, model, pool, registry, metrics),
                "tokens", "queries");
        // Not used for data. A persistent store makes Kafka Streams keep its process id in the state folder, so a
        // runtime restarted on the same folder reuses its transactional ids and fences its crashed predecessor at
        // once; with only random ids, answers would stay invisible to read_committed readers until the dead
        // process's open transaction timed out (transaction.timeout.ms).
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDENTITY_STORE),
                Serdes.String(), Serdes.String()).withLoggingDisabled(), "sessions");
        t.addSink(SessionProcessor.ANSWERS, config.topics().answers(), new StringSerializer(),
                new ByteArraySerializer(), "sessions");
        t.addSink(SessionProcessor.INCIDENTS, config.incidentsTopic(), new StringSerializer(),
                new ByteArraySerializer(), "sessions");
        t.addSink(SessionProcessor.EVENTS, config.topics().events(), new StringSerializer(),
                new ByteArraySerializer(), "sessions");
        t.addSink(SessionProcessor.ERRORS, config.topics().errors(), new StringSerializer(),
                new ByteArraySerializer(), "sessions");
        return t;
    }
}
