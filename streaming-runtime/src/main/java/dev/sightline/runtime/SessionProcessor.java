package dev.sightline.runtime;

import dev.sightline.kv.KvBudgetExceededException;
import dev.sightline.kv.KvPool;
import dev.sightline.protocol.Answer;
import dev.sightline.protocol.BadRecordException;
import dev.sightline.protocol.ErrorRecord;
import dev.sightline.protocol.JsonSerde;
import dev.sightline.protocol.Query;
import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import dev.sightline.protocol.tokens.TokenModality;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions of one Kafka Streams task: one partition of the tokens topic and the same partition of the queries
 * topic (both keyed by stream id, so a stream's batches and questions meet here).
 *
 * <p><b>Where inference runs.</b> On the stream thread, inside the EOS-v2 transaction, with timeouts sized for it:
 * a batch's prefill and an answer's generation are bounded (answers by {@link RuntimeConfig#maxTokensLimit()}), the
 * consumer takes few records per poll and the producer's {@code transaction.timeout.ms} is raised
 * ({@link StreamingRuntime}). This keeps the exactly-once story simple: an answer is produced in the same transaction
 * that commits its query's offset, so a crash before the commit re-answers the query and the aborted answer is never
 * seen by {@code read_committed} readers; nothing is answered twice or lost. The price is that a long answer delays
 * the batches behind it, which the backpressure policy then sees as lag.
 *
 * <p><b>Recovery.</b> The memory itself is not a Kafka state store (it is far too large for a changelog). Instead the
 * task checkpoints every session's kv snapshot with the last tokens offset it includes ({@link SessionCheckpoints}),
 * and on start restores them and replays the batches between that offset and the committed one
 * ({@link TokenReplayer}). Batches at or before the checkpoint that Kafka Streams redelivers (the checkpoint may be
 * newer than the last commit) are skipped.
 */
final class SessionProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(SessionProcessor.class);
    static final String ANSWERS = "answers-sink";
    static final String EVENTS = "events-sink";
    static final String ERRORS = "errors-sink";
    static final String INCIDENTS = "incidents-sink";

    private final RuntimeConfig config;
    private final SessionModel model;
    private final KvPool pool;
    private final SessionRegistry registry;
    private final RuntimeMetrics metrics;
    private final SessionCheckpoints checkpoints;
    private final JsonSerde<Query> querySerde = SightlineSerdes.query();
    private final JsonSerde<Answer> answerSerde = SightlineSerdes.answer();
    private final JsonSerde<StreamEvent> eventSerde = SightlineSerdes.streamEvent();
    private final JsonSerde<ErrorRecord> errorSerde = SightlineSerdes.errorRecord();
    private final JsonSerde<Incident> incidentSerde = new JsonSerde<>(Incident.class);

    private final Map<String, StreamSession> sessions = new LinkedHashMap<>();
    private final Map<String, BackpressureGate> gates = new HashMap<>();
    private ProcessorContext<String, byte[]> context;
    private int partition;
    private long appliedTokensOffset = -1;
    private long generation;

    SessionProcessor(RuntimeConfig config, SessionModel model, KvPool pool, SessionRegistry registry,
                     RuntimeMetrics metrics) {
        this.config = config;
        this.model = model;
        this.pool = pool;
        this.registry = registry;
        this.metrics = metrics;
        this.checkpoints = new SessionCheckpoints(config.checkpointDir(), config.applicationId());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        restore();
        context.schedule(config.checkpointInterval(), PunctuationType.WALL_CLOCK_TIME, now -> checkpoint());
    }

    // ------------------------------------------------------------------------------------------------ recovery

    private void restore() {
        var manifest = checkpoints.read(partition);
        if (manifest.isPresent()) {
            appliedTokensOffset = manifest.get().tokensOffset();
            generation = manifest.get().generation();
            for (SessionCheckpoints.Entry e : manifest.get().sessions()) {
                try (InputStream in = Files.newInputStream(checkpoints.snapshot(partition, e.file()))) {
                    StreamSession s = StreamSession.restore(e.streamId(), model, pool,
                            config.settingsFor(e.streamId()), new java.io.BufferedInputStream(in, 1 << 16),
                            e.counters());
                    add(s);
                } catch (IOException | RuntimeException ex) {
                    // the stream starts over; its later batches and questions still work
                    LOG.error("stream {}: cannot restore checkpoint {}: {}; starting it empty", e.streamId(), e.file(),
                            ex.toString());
                }
            }
            LOG.info("partition {}: restored {} sessions at tokens offset {}", partition, sessions.size(),
                    appliedTokensOffset);
        }
        TokenReplayer replayer = new TokenReplayer(config.bootstrapServers(), config.applicationId(),
                config.topicSettings().maxMessageBytes(), Duration.ofSeconds(120));
        long replayed = replayer.replay(config.topics().tokens(), partition, appliedTokensOffset + 1,
                this::replayBatch);
        if (replayed > 0) {
            LOG.info("partition {}: replayed {} token batches after the checkpoint, now at offset {}", partition,
                    replayed, appliedTokensOffset);
        }
    }

    private void replayBatch(ConsumerRecord<byte[], byte[]> r) {
        try {
            TokenBatch batch = TokenBatchSerde.fromBytes(r.value());
            StreamSession s = sessionFor(batch.streamId(), false);
            if (s != null) {
                s.lock().lock();
                try {
                    s.prefill(batch);
                } finally {
                    s.lock().unlock();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("partition {}: replay skipped the batch at offset {}: {}", partition, r.offset(), e.toString());
        }
        appliedTokensOffset = r.offset();
    }

    private void checkpoint() {
        generation++;
        List<SessionCheckpoints.Entry> entries = new ArrayList<>();
        try {
            for (StreamSession s : sessions.values()) {
                s.lock().lock();
                try {
                    String file = checkpoints.writeSnapshot(partition, s.streamId(), generation, s::writeSnapshot);
                    entries.add(new SessionCheckpoints.Entry(s.streamId(), file, s.counters()));
                } finally {
                    s.lock().unlock();
                }
            }
            checkpoints.commit(new SessionCheckpoints.Manifest(1, partition, appliedTokensOffset, generation,
                    System.currentTimeMillis(), entries));
        } catch (IOException | RuntimeException e) {
            // the previous checkpoint stays valid; recovery just replays more
            LOG.error("partition {}: checkpoint failed: {}", partition, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------ records

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        if (meta.topic().equals(config.topics().tokens())) {
            onBatch(record, meta);
        } else {
            onQuery(record, meta);
        }
    }

    private void onBatch(Record<String, byte[]> record, RecordMetadata meta) {
        if (meta.offset() <= appliedTokensOffset) {
            return;                               // already in the restored memory
        }
        appliedTokensOffset = meta.offset();
        TokenBatch batch;
        try {
            if (record.value() == null) {
                throw new BadRecordException("TokenBatch", "empty value (tombstone) on the tokens topic");
            }
            batch = TokenBatchSerde.fromBytes(record.value());
        } catch (BadRecordException e) {
            error(meta, record.key(), e.getMessage());
            return;
        }
        String streamId = batch.streamId();
        StreamSession session = sessionFor(streamId, true);
        if (session == null) {
            metrics.dropped(streamId, record.timestamp());
            return;
        }
        if (shouldDrop(session, batch, record.timestamp())) {
            return;
        }
        session.lock().lock();
        try {
            reportEndedGap(session);
            long start = System.nanoTime();
            session.prefill(batch);
            metrics.batch(streamId, batch.modality() == TokenModality.VIDEO, batch.tokens().size(),
                    record.timestamp(), System.nanoTime() - start);
            checkStandingQuestions(session, batch);
        } catch (KvBudgetExceededException | IllegalArgumentException e) {
            session.counters().dropped++;
            session.touch();
            error(meta, streamId, "batch " + batch.sequence() + " of stream " + streamId + " not prefilled: "
                    + e.getMessage());
        } catch (RuntimeException e) {
            // an engine failure mid-block may leave the memory unusable: this stream starts over, the others go on
            LOG.error("stream {}: batch {} failed; resetting the session", streamId, batch.sequence(), e);
            error(meta, streamId, "batch " + batch.sequence() + " of stream " + streamId + " failed: " + e
                    + "; the session was reset");
            reset(session);
        } finally {
            session.lock().unlock();
        }
    }

    private void reset(StreamSession session) {
        sessions.remove(session.streamId());
        registry.remove(session);
        gates.remove(session.streamId());
        session.close();
        event(session.streamId(), StreamState.RECONNECTING, session.counters().dropped, session.counters().gaps,
                session.counters().lastPtsMicros, "session reset after an internal error; memory starts empty");
    }

    /** The stream's session, opened on its first batch; null when the pool refuses it (reported once). */
    private StreamSession sessionFor(String streamId, boolean report) {
        StreamSession s = sessions.get(streamId);
        if (s != null) {
            return s;
        }
        SessionSettings settings = config.settingsFor(streamId);
        try {
            s = StreamSession.open(streamId, model, pool, settings, config.systemPrompt());
        } catch (KvBudgetExceededException e) {
            boolean first = registry.refusal(streamId).isEmpty();
            String reason = "admission refused: the session budget of " + settings.budgetBytes()
                    + " bytes does not fit in the KV pool (" + pool.capacityBytes() + " bytes, "
                    + (pool.capacityBytes() - pool.reservedBytes()) + " unreserved)";
            registry.refuse(streamId, reason);
            metrics.refused(streamId);
            if (first && report) {
                LOG.warn("stream {}: {}", streamId, reason);
                event(streamId, StreamState.FAILED, 0, 0, -1, reason);
            }
            return null;
        }
        add(s);
        if (report) {
            event(streamId, StreamState.RUNNING, 0, 0, -1, "session opened: budget " + settings.budgetBytes()
                    + " bytes, policy " + s.policy() + ", format " + settings.format());
        }
        return s;
    }

    private void add(StreamSession s) {
        sessions.put(s.streamId(), s);
        registry.add(s);
        metrics.stream(s.streamId());
    }

    /** Applies the backpressure policy; a skipped batch joins the stream's current gap. */
    private boolean shouldDrop(StreamSession session, TokenBatch batch, long recordTimestamp) {
        BackpressureGate gate = gates.computeIfAbsent(session.streamId(), id -> new BackpressureGate(
                config.backpressure(), config.maxLag().toMillis(), config.frameStride()));
        if (!gate.drop(batch, System.currentTimeMillis() - recordTimestamp)) {
            return false;
        }
        session.counters().dropped++;
        session.touch();
        metrics.dropped(session.streamId(), recordTimestamp);
        return true;
    }

    /** Reports the gap a kept batch ended, if any, as a StreamEvent. */
    private void reportEndedGap(StreamSession session) {
        BackpressureGate gate = gates.get(session.streamId());
        if (gate == null) {
            return;
        }
        gate.takeEndedGap().ifPresent(gap -> {
            session.counters().gaps++;
            metrics.gap(session.streamId());
            event(session.streamId(), StreamState.RUNNING, session.counters().dropped, session.counters().gaps,
                    session.counters().lastPtsMicros, String.format(java.util.Locale.ROOT,
                            "gap: %s skipped %d batches (sequence %d..%d, stream time %.3f..%.3f s) to catch up",
                            config.backpressure(), gap.batches(), gap.firstSequence(), gap.lastSequence(),
                            gap.fromPtsMicros() / 1e6, gap.toPtsMicros() / 1e6));
        });
    }

    private void checkStandingQuestions(StreamSession session, TokenBatch batch) {
        long now = batch.ptsEndMicros();
        for (StandingQuestion q : config.standingQuestions()) {
            if (!q.watches(session.streamId())) {
                continue;
            }
            Long last = session.counters().lastCheckMicros.get(q.id());
            if (last != null && now - last < q.everyMicros()) {
                continue;
            }
            session.counters().lastCheckMicros.put(q.id(), now);
            Long lastIncident = session.counters().lastIncidentMicros.get(q.id());
            if (lastIncident != null && now - lastIncident < q.cooldownMicros()) {
                continue;                          // still cooling down: skip the scoring too
            }
            StreamSession.Score score = session.score(q.text());
            if (score.yes() >= q.threshold()) {
                session.counters().lastIncidentMicros.put(q.id(), now);
                Answer.Memory m = session.memoryFigures();
                Incident incident = new Incident(Incident.SCHEMA_VERSION, session.streamId(), q.id(), q.text(),
                        score.yes(), m.fromPtsMicros(), now, batch.sequence(), score.evidence(), model.modelId(),
                        session.policy(), System.currentTimeMillis());
                context.forward(new Record<>(session.streamId(), incidentSerde.encode(incident),
                        context.currentSystemTimeMs()), INCIDENTS);
                metrics.incident(session.streamId());
            }
        }
    }

    private void onQuery(Record<String, byte[]> record, RecordMetadata meta) {
        long started = System.currentTimeMillis();
        Query query;
        try {
            if (record.value() == null) {
                throw new BadRecordException("Query", "empty value (tombstone) on the queries topic");
            }
            query = querySerde.decode(record.value());
        } catch (BadRecordException e) {
            error(meta, record.key(), e.getMessage());
            String stream = record.key() == null || record.key().isBlank() ? "unknown" : record.key();
            String queryId = "malformed@" + meta.topic() + "-" + meta.partition() + "-" + meta.offset();
            sendAnswer(Answer.error(stream, queryId, e.getMessage(), System.currentTimeMillis()));
            return;
        }
        Answer answer = answer(query, record.timestamp(), started);
        sendAnswer(answer);
        metrics.answer(query.streamId(), answer.failed(),
                answer.latency() == null ? 0 : answer.latency().queueMillis(),
                answer.latency() == null ? 0 : answer.latency().endToEndMillis());
    }

    /** Answers one query, or explains why not. Never throws for bad input. */
    Answer answer(Query query, long recordTimestamp, long startedMillis) {
        String stream = query.streamId();
        String problem = validate(query);
        if (problem != null) {
            return Answer.error(stream, query.queryId(), problem, System.currentTimeMillis());
        }
        StreamSession session = sessions.get(stream);
        if (session == null) {
            session = registry.find(stream).orElse(null);   // e.g. a query keyed differently than its stream
        }
        if (session == null) {
            String reason = registry.refusal(stream).map(r -> "stream '" + stream + "' has no session: " + r)
                    .orElse("unknown stream '" + stream + "': no token batches seen for it on this runtime");
            return Answer.error(stream, query.queryId(), reason, System.currentTimeMillis());
        }
        int maxTokens = query.maxTokens() == null ? config.defaultMaxTokens() : query.maxTokens();
        SessionModel.Decoding decoding = decoding(query, maxTokens);
        session.lock().lock();
        try {
            StreamSession.Reply reply = session.answer(query.text(), decoding, null);
            long now = System.currentTimeMillis();
            long asked = query.timestampMillis() > 0 ? query.timestampMillis() : recordTimestamp;
            Answer.Latency latency = new Answer.Latency(Math.max(0, startedMillis - recordTimestamp),
                    reply.prefillNanos() / 1e6, reply.decodeNanos() / 1e6, Math.max(0, now - asked));
            return new Answer(Answer.SCHEMA_VERSION, stream, query.queryId(), reply.text(), model.modelId(),
                    session.policy(), session.memoryFigures(), reply.evidence(), latency, null, now);
        } catch (KvBudgetExceededException e) {
            return Answer.error(stream, query.queryId(), "the question does not fit in the session's free memory: "
                    + e.getMessage() + "; ask a shorter question or fewer max_tokens", System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.error("stream {}: answering {} failed", stream, query.queryId(), e);
            return Answer.error(stream, query.queryId(), "answering failed: " + e, System.currentTimeMillis());
        } finally {
            session.lock().unlock();
        }
    }

    private String validate(Query q) {
        if (q.text().isBlank()) {
            return "empty question: 'text' must contain the question";
        }
        if (q.maxTokens() != null && (q.maxTokens() < 1 || q.maxTokens() > config.maxTokensLimit())) {
            return "max_tokens " + q.maxTokens() + " is outside 1.." + config.maxTokensLimit()
                    + " (this runtime's limit)";
        }
        Query.Sampling s = q.sampling();
        if (s != null) {
            if (s.temperature() != null && (s.temperature() < 0 || !Double.isFinite(s.temperature()))) {
                return "sampling.temperature must be >= 0, got " + s.temperature();
            }
            if (s.topP() != null && !(s.topP() > 0 && s.topP() <= 1)) {
                return "sampling.top_p must be in (0, 1], got " + s.topP();
            }
        }
        return null;
    }

    static SessionModel.Decoding decoding(Query q, int maxTokens) {
        Query.Sampling s = q.sampling();
        if (s == null) {
            return SessionModel.Decoding.greedy(maxTokens);
        }
        return new SessionModel.Decoding(maxTokens, s.temperature() == null ? 0f : s.temperature().floatValue(),
                s.topP() == null ? 1f : s.topP().floatValue(), s.seed() == null ? 0 : s.seed());
    }

    // ------------------------------------------------------------------------------------------------ output

    private void sendAnswer(Answer a) {
        context.forward(new Record<>(a.streamId(), answerSerde.encode(a), context.currentSystemTimeMs()), ANSWERS);
    }

    private void event(String streamId, StreamState state, long dropped, long gaps, long lastPts, String message) {
        StreamEvent e = new StreamEvent(streamId, state, 0, 0, dropped, 0, gaps, lastPts, message,
                System.currentTimeMillis());
        context.forward(new Record<>(streamId, eventSerde.encode(e), context.currentSystemTimeMs()), EVENTS);
    }

    private void error(RecordMetadata meta, String streamId, String reason) {
        LOG.warn("{}-{}@{}: {}", meta.topic(), meta.partition(), meta.offset(), reason);
        metrics.badRecord(meta.topic());
        ErrorRecord e = new ErrorRecord(meta.topic(), meta.partition(), meta.offset(), streamId, reason,
                System.currentTimeMillis());
        context.forward(new Record<>(streamId, errorSerde.encode(e), context.currentSystemTimeMs()), ERRORS);
    }

    @Override
    public void close() {
        checkpoint();
        for (StreamSession s : sessions.values()) {
            registry.remove(s);
            s.lock().lock();
            try {
                s.close();
            } finally {
                s.lock().unlock();
            }
        }
        sessions.clear();
    }
}
