package dev.sightline.protocol;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of Sightline's topics. By default each is a common prefix plus a fixed suffix
 * ({@code sightline.frames}, {@code sightline.audio}, ...); any one can be renamed with the {@code with...}
 * methods. Every topic is keyed by stream id.
 */
public record TopicNames(String frames, String audio, String tokens, String queries, String answers,
                         String events, String errors) {
    public static final String DEFAULT_PREFIX = "sightline.";
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicNames {
        for (String name : List.of(frames, audio, tokens, queries, answers, events, errors)) {
            if (name == null || !LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("illegal Kafka topic name: '" + name
                        + "' (use 1-249 of a-z A-Z 0-9 . _ -)");
            }
        }
        if (List.of(frames, audio, tokens, queries, answers, events, errors).stream().distinct().count() != 7) {
            throw new IllegalArgumentException("topic names must differ from each other");
        }
    }

    /** All seven topics under {@code prefix} (may be empty), e.g. {@code withPrefix("site1.")}. */
    public static TopicNames withPrefix(String prefix) {
        String p = prefix == null ? "" : prefix;
        return new TopicNames(p + "frames", p + "audio", p + "tokens", p + "queries", p + "answers",
                p + "events", p + "errors");
    }

    public static TopicNames defaults() {
        return withPrefix(DEFAULT_PREFIX);
    }

    public List<String> all() {
        return List.of(frames, audio, tokens, queries, answers, events, errors);
    }

    public TopicNames withFrames(String name) {
        return new TopicNames(name, audio, tokens, queries, answers, events, errors);
    }

    public TopicNames withAudio(String name) {
        return new TopicNames(frames, name, tokens, queries, answers, events, errors);
    }

    public TopicNames withTokens(String name) {
        return new TopicNames(frames, audio, name, queries, answers, events, errors);
    }

    public TopicNames withQueries(String name) {
        return new TopicNames(frames, audio, tokens, name, answers, events, errors);
    }

    public TopicNames withAnswers(String name) {
        return new TopicNames(frames, audio, tokens, queries, name, events, errors);
    }

    public TopicNames withEvents(String name) {
        return new TopicNames(frames, audio, tokens, queries, answers, name, errors);
    }

    public TopicNames withErrors(String name) {
        return new TopicNames(frames, audio, tokens, queries, answers, events, name);
    }
}
