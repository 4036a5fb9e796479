package dev.sightline.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonSerdeTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void queryFromAHandWrittenKcatLine() {
        Query q = SightlineSerdes.query().decode(utf8("""
                {"stream_id":"cam-1","query_id":"q-42","text":"What colour is the square?",
                 "max_tokens":64,"sampling":{"temperature":0.2,"top_k":5},"some_future_field":true}"""));
        assertThat(q.schemaVersion()).isEqualTo(1);
        assertThat(q.streamId()).isEqualTo("cam-1");
        assertThat(q.maxTokens()).isEqualTo(64);
        assertThat(q.sampling().temperature()).isEqualTo(0.2);
        assertThat(q.sampling().topK()).isEqualTo(5);
        assertThat(q.sampling().topP()).isNull();
    }

    @Test
    void answersRoundTripAndUseSnakeCase() {
        Answer a = new Answer(1, "cam-1", "q-1", "A red square.", "smolvlm", "snapkv",
                new Answer.Memory(1000, 2_000_000, 4_000_000, 0, 59_000_000),
                List.of(new Answer.Evidence(12, 12_000_000, 0.4)),
                new Answer.Latency(1.5, 20, 80, 101.5), null, 123);
        JsonSerde<Answer> serde = SightlineSerdes.answer();
        byte[] json = serde.encode(a);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"schema_version\":1", "\"query_id\":\"q-1\"", "\"bytes_kept\":2000000",
                        "\"end_to_end_millis\":101.5")
                .doesNotContain("\"error\"");
        assertThat(serde.decode(json)).isEqualTo(a);
        Answer err = Answer.error("cam-1", "q-2", "empty question", 5);
        assertThat(serde.decode(serde.encode(err))).isEqualTo(err);
        assertThat(serde.decode(serde.encode(err)).failed()).isTrue();
    }

    @Test
    void eventsAndErrorsRoundTrip() {
        StreamEvent e = new StreamEvent("cam-1", StreamState.RECONNECTING, 10, 9, 2, 1, 3, 9_000_000,
                "connection refused", 77);
        assertThat(SightlineSerdes.streamEvent().decode(SightlineSerdes.streamEvent().encode(e))).isEqualTo(e);
        ErrorRecord r = new ErrorRecord("sightline.frames", 0, 41, "cam-2", "bad magic", 99);
        assertThat(SightlineSerdes.errorRecord().decode(SightlineSerdes.errorRecord().encode(r))).isEqualTo(r);
    }

    @Test
    void rejectsMalformedJsonMissingIdsAndNewerVersions() {
        JsonSerde<Query> serde = SightlineSerdes.query();
        assertThatThrownBy(() -> serde.decode(utf8("{not json")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("bad Query record: invalid JSON");
        assertThatThrownBy(() -> serde.decode(utf8("{\"query_id\":\"q\"}")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("stream id must be non-blank");
        assertThatThrownBy(() -> serde.decode(utf8("{\"stream_id\":\"s\"}")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("query id must be non-blank");
        assertThatThrownBy(() -> serde.decode(utf8("{\"schema_version\":2,\"stream_id\":\"s\",\"query_id\":\"q\"}")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("unsupported schema_version 2");
        assertThatThrownBy(() -> SightlineSerdes.streamEvent().decode(utf8("{\"stream_id\":\"s\",\"state\":\"X\"}")))
                .isInstanceOf(BadRecordException.class);
        assertThatThrownBy(() -> serde.decode(utf8("null"))).isInstanceOf(BadRecordException.class);
    }

    @Test
    void emptyQuestionIsStillAQueryForTheRuntimeToAnswer() {
        Query q = SightlineSerdes.query().decode(utf8("{\"stream_id\":\"s\",\"query_id\":\"q\",\"text\":\"\"}"));
        assertThat(q.text()).isEmpty();
    }

    @Test
    void topicNamesUnderAPrefix() {
        TopicNames names = TopicNames.withPrefix("site1.");
        assertThat(names.all()).containsExactly("site1.frames", "site1.audio", "site1.tokens", "site1.queries",
                "site1.answers", "site1.events", "site1.errors");
        assertThat(names.withFrames("raw").frames()).isEqualTo("raw");
        assertThatThrownBy(() -> TopicNames.withPrefix("bad prefix ")).hasMessageContaining("illegal Kafka topic");
        assertThatThrownBy(() -> names.withAudio("site1.frames")).hasMessageContaining("differ");
    }
}
