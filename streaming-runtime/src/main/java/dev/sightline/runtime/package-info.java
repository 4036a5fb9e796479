/**
 * The streaming runtime: one bounded-memory session per stream that watches token batches and answers questions.
 *
 * <h2>Flow</h2>
 * <pre>
 *   tokens topic (TokenBatch, key = stream id) ─┐
 *                                               ├─▶ SessionProcessor (Kafka Streams task = one partition of each)
 *   queries topic (Query JSON, key = stream id) ─┘        │ StreamSession per stream:
 *                                                         │   decoder (SessionModel) + kv-memory PagedKvSequence
 *                                                         │   under a fixed byte budget from one shared KvPool
 *                                                         ▼
 *           answers (Answer JSON) · incidents (Incident JSON) · events (StreamEvent) · errors (ErrorRecord)
 * </pre>
 * A stream's first batch opens its session: the pool reserves the stream's whole budget or refuses it (a
 * {@code FAILED} StreamEvent saying so; questions to it get an error answer). The prompt is laid out as the model
 * family's ({@link dev.sightline.runtime.PromptLayout}, SmolVLM's chat turn and frame prompt): the opening (an optional
 * system turn, then {@code <|im_start|>User:}) is prefilled first, pinned; each frame after its
 * {@code "\nFrame from mm:ss:"} line, its tokens wrapped in the image tokens, so the model can tell when things
 * happened; audio tokens bare after their frame; each question closes the user turn
 * ({@code "\n...<end_of_utterance>\nAssistant:"}). kv-memory compresses at its high watermark (by default 70% of
 * the budget, down to 50%, leaving the rest for questions). A question is answered in kv-memory's overlay, so it never changes the memory (or, in multi-turn
 * mode, in a dialogue turn kept in a separate bounded region).
 *
 * <h2>Exactly once, and where inference runs</h2>
 * {@code processing.guarantee=exactly_once_v2}. Inference runs <em>on the stream thread</em>, inside the transaction
 * that also commits the query's offset, and the timeouts are sized for it: {@code max.poll.records=20},
 * {@code transaction.timeout.ms} = {@link dev.sightline.runtime.RuntimeConfig#transactionTimeout()} (60 s by default)
 * and answer length capped by {@link dev.sightline.runtime.RuntimeConfig#maxTokensLimit()}. Why: an answer then
 * commits atomically with its question, so a crash before the commit re-answers it and the aborted answer is never
 * visible to {@code read_committed} readers; nothing is lost or answered twice, without any bookkeeping of our own.
 * The cost: a long answer delays that task's batches (seen as lag, handled by the backpressure policy), and the
 * transaction timeout must exceed the slowest answer of the model in use.
 *
 * <h2>Recovery</h2>
 * The memory is too large for a changelog, so each task checkpoints its sessions' kv snapshots with the last tokens
 * offset they include ({@link dev.sightline.runtime.RuntimeConfig#checkpointInterval()}, and when the task closes) to
 * {@link dev.sightline.runtime.RuntimeConfig#checkpointDir()}. On start it restores them and replays the batches from
 * there to the committed offset with a plain {@code read_committed} consumer; batches Kafka Streams redelivers that the
 * checkpoint already includes are skipped. A persistent (unused) store keeps Kafka Streams' process id in the state
 * folder, so a restarted instance reuses its transactional ids and fences its crashed predecessor at once.
 *
 * <h2>Entry points</h2>
 * {@link dev.sightline.runtime.StreamingRuntime#start(RuntimeConfig)} (returns the closeable handle) and
 * {@link dev.sightline.runtime.RuntimeMain} (a process). HTTP: {@code POST /v1/chat/completions} (OpenAI-compatible,
 * SSE with {@code "stream": true}), {@code GET /v1/streams}, {@code /health/live}, {@code /health/ready},
 * {@code /metrics} (Prometheus).
 */
package dev.sightline.runtime;
