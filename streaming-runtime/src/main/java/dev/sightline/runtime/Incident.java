package dev.sightline.runtime;

import java.util.List;

import dev.sightline.protocol.Answer;

/**
 * A standing question answered "yes" (incidents topic, JSON, keyed by stream id). Written with the protocol's JSON
 * conventions (snake_case), produced exactly once with the answers.
 *
 * @param schemaVersion   {@value #SCHEMA_VERSION}
 * @param streamId        the stream
 * @param questionId      the {@link StandingQuestion#id()}
 * @param question        its text
 * @param score           P(yes)
 * @param fromPtsMicros   stream time the memory covered when checking: oldest kept token
 * @param toPtsMicros     stream time of the batch that triggered the check
 * @param frameSequence   sequence of that batch
 * @param evidence        frames that drew the most attention while scoring
 * @param modelId         the model
 * @param policy          the memory's policy
 * @param timestampMillis when the incident was raised (epoch ms)
 */
public record Incident(int schemaVersion, String streamId, String questionId, String question, double score,
                       long fromPtsMicros, long toPtsMicros, long frameSequence, List<Answer.Evidence> evidence,
                       String modelId, String policy, long timestampMillis) {
    public static final int SCHEMA_VERSION = 1;

    public Incident {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }
}
