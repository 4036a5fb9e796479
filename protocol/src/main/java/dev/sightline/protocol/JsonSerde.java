package dev.sightline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * JSON serde for the records people and scripts read and write (queries, answers, events, errors). Field names
 * are snake_case ({@code stream_id}, {@code schema_version}); unknown fields are ignored so that older readers
 * accept newer writers' additions, but a newer {@code schema_version} than the reader knows is rejected.
 */
public class JsonSerde<T> implements Serde<T> {
    /** One mapper for all Sightline JSON, shared: ObjectMapper is thread-safe once configured. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    /** Used by the records' constructors. */
    static void requireVersion(int version, int newestKnown) {
        if (version < 1 || version > newestKnown) {
            throw new IllegalArgumentException("unsupported schema_version " + version
                    + " (this reader knows 1.." + newestKnown + ")");
        }
    }

    public byte[] encode(T value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + type.getSimpleName() + " as JSON", e);
        }
    }

    /** @throws BadRecordException for bytes that are not JSON, miss required fields or fail validation */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new BadRecordException(type.getSimpleName(), "null bytes");
        }
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new BadRecordException(type.getSimpleName(), "JSON null");
            }
            return value;
        } catch (ValueInstantiationException e) {
            // the record's constructor refused a value: its message says which
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BadRecordException(type.getSimpleName(), cause.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new BadRecordException(type.getSimpleName(), "invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new BadRecordException(type.getSimpleName(), "unreadable JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
