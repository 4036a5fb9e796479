/**
 * The records on Sightline's Kafka topics and their serdes: the contract between every stage.
 *
 * <h2>Topics</h2>
 * {@link dev.sightline.protocol.TopicNames}: frames, audio, tokens, queries, answers, events, errors, each under a
 * common prefix ({@code sightline.} by default) and each keyed by stream id (UTF-8 string), so one stream's
 * records stay in one partition, in order. {@link dev.sightline.protocol.TopicSetup} creates missing topics with
 * the configured partitions and {@code max.message.bytes}; {@link dev.sightline.protocol.KafkaClientConfigs}
 * gives producers ({@code acks=all}, idempotent, {@code max.request.size}) and consumers
 * ({@code max.partition.fetch.bytes}) the same limit.
 *
 * <h2>Binary records</h2>
 * {@link dev.sightline.protocol.VideoFrame} and {@link dev.sightline.protocol.AudioChunk} (and the tokenizer's
 * token batches) start with {@link dev.sightline.protocol.BinaryHeader}: a 4-letter magic ({@code SLVF},
 * {@code SLAU}) and a u16 schema version. The layouts are documented on {@link dev.sightline.protocol.VideoFrameSerde}
 * and {@link dev.sightline.protocol.AudioChunkSerde}; {@link dev.sightline.protocol.BinaryReader} checks every
 * length as it reads.
 *
 * <h2>JSON records</h2>
 * {@link dev.sightline.protocol.Query}, {@link dev.sightline.protocol.Answer},
 * {@link dev.sightline.protocol.StreamEvent} and {@link dev.sightline.protocol.ErrorRecord} are JSON with
 * snake_case names and a {@code schema_version}, so kcat or a script can write a query and read an answer.
 *
 * <h2>Bad records</h2>
 * Every deserializer throws {@link dev.sightline.protocol.BadRecordException} naming the record type and what was
 * wrong. A consumer that must go on past bad bytes decodes through {@link dev.sightline.protocol.BadRecordRouter},
 * which sends an {@link dev.sightline.protocol.ErrorRecord} (topic, partition, offset, key, reason) to the errors
 * topic and skips the record.
 *
 * <h2>Tests</h2>
 * The test-jar ({@code dev.sightline:protocol:test-jar}) holds {@code dev.sightline.protocol.testing.KafkaTestBroker},
 * a real in-process KRaft broker; its users also need {@code org.apache.kafka:kafka-test-common-runtime} at test
 * scope.
 */
package dev.sightline.protocol;
