package dev.sightline.runtime;

/**
 * A question checked again and again as a stream goes on ("tell me when a person enters"). Every
 * {@code everyMicros} of stream time the session scores it with one cheap yes/no forward pass
 * ({@link SessionModel#yesProbability}); a score at or above {@code threshold} raises an {@link Incident}, and no
 * further incident for this question is raised on that stream until {@code cooldownMicros} of stream time passed.
 *
 * @param id             names the question in incidents
 * @param streamId       the stream it watches, or {@code *} for every stream
 * @param text           the question, phrased for a yes/no answer
 * @param everyMicros    stream time between checks
 * @param cooldownMicros stream time after an incident during which this question raises no other
 * @param threshold      P(yes) that counts as yes
 */
public record StandingQuestion(String id, String streamId, String text, long everyMicros, long cooldownMicros,
                               double threshold) {
    public static final String EVERY_STREAM = "*";

    public StandingQuestion {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a standing question needs an id");
        }
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("standing question '" + id + "' needs a stream id (or *)");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("standing question '" + id + "' has no text");
        }
        if (everyMicros <= 0 || cooldownMicros < 0) {
            throw new IllegalArgumentException("standing question '" + id + "': check interval must be > 0 and"
                    + " cooldown >= 0, got " + everyMicros + " and " + cooldownMicros + " µs");
        }
        if (threshold < 0 || threshold > 1) {
            throw new IllegalArgumentException("standing question '" + id + "': threshold must be in 0..1, got "
                    + threshold);
        }
    }

    boolean watches(String stream) {
        return EVERY_STREAM.equals(streamId) || streamId.equals(stream);
    }
}
