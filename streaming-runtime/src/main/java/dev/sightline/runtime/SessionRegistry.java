package dev.sightline.runtime;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions this runtime instance holds now, across its Kafka Streams tasks, for HTTP and metrics. A stream is
 * here while its partition is assigned to this instance; sessions are added and removed by their task.
 */
final class SessionRegistry {
    private final Map<String, StreamSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    void add(StreamSession s) {
        sessions.put(s.streamId(), s);
        refused.remove(s.streamId());
    }

    void remove(StreamSession s) {
        sessions.remove(s.streamId(), s);
    }

    Optional<StreamSession> find(String streamId) {
        return Optional.ofNullable(sessions.get(streamId));
    }

    void refuse(String streamId, String reason) {
        if (refused.size() < 10_000) {    // bounded: ids come from the outside
            refused.put(streamId, reason);
        }
    }

    Optional<String> refusal(String streamId) {
        return Optional.ofNullable(refused.get(streamId));
    }

    List<SessionStatus> statuses() {
        return sessions.values().stream().map(StreamSession::status)
                .sorted(Comparator.comparing(SessionStatus::streamId)).toList();
    }

    Map<String, String> refusals() {
        return Map.copyOf(refused);
    }

    int size() {
        return sessions.size();
    }
}
