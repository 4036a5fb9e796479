package dev.sightline.tokenizer;

import dev.sightline.protocol.TopicNames;

import java.time.Duration;
import java.util.Map;

/**
 * What the tokenizer topology needs besides its encoders.
 *
 * @param topics        where frames and audio come from and tokens and errors go
 * @param defaults      stage settings of every stream without an override
 * @param perStream     overrides by exact stream id (e.g. stage 4 off for a camera without a microphone)
 * @param maxAudioWait  wall-clock time a frame may wait for its window's audio before it goes out with the
 *                      fallback allocation (covers a stream whose audio stopped altogether); default 10 s
 */
public record TokenizerConfig(TopicNames topics, StageSettings defaults, Map<String, StageSettings> perStream,
                              Duration maxAudioWait) {

    public TokenizerConfig {
        perStream = Map.copyOf(perStream);
        if (maxAudioWait.isNegative()) {
            throw new IllegalArgumentException("maxAudioWait must not be negative");
        }
    }

    public static TokenizerConfig standard() {
        return new TokenizerConfig(TopicNames.defaults(), StageSettings.DEFAULTS, Map.of(), Duration.ofSeconds(10));
    }

    public TokenizerConfig withTopics(TopicNames t) {
        return new TokenizerConfig(t, defaults, perStream, maxAudioWait);
    }

    public TokenizerConfig withDefaults(StageSettings s) {
        return new TokenizerConfig(topics, s, perStream, maxAudioWait);
    }

    public TokenizerConfig withStream(String streamId, StageSettings s) {
        var m = new java.util.HashMap<>(perStream);
        m.put(streamId, s);
        return new TokenizerConfig(topics, defaults, m, maxAudioWait);
    }

    public TokenizerConfig withMaxAudioWait(Duration d) {
        return new TokenizerConfig(topics, defaults, perStream, d);
    }

    public StageSettings settingsFor(String streamId) {
        return perStream.getOrDefault(streamId, defaults);
    }
}
