package dev.sightline.bench.streamqa;

/**
 * One StreamQA question: its family label, the text asked, the one-word answer, and the needle (the second of the
 * stream that holds the answer; the last second for questions about the whole stream).
 */
public record Question(Family family, String text, String answer, int needle) {

    /** The question families; {@link #label()} is the name used in files and tables. */
    public enum Family {
        RECALL, CROSSMODAL, FIRST_LAST, ORDER, COUNTING, CURRENT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where the needle sits in a stream of {@code frames} seconds: {@code (needle + 1) / frames}. */
    public double depth(int frames) {
        return (needle + 1) / (double) frames;
    }

    /** The needle's depth bucket, 10 to 100 (percent), as the evaluation tables group it. */
    public int depthBucket(int frames) {
        return (int) Math.min(100, Math.ceil(depth(frames) * 10 - 1e-9) * 10);
    }

    /** The line the cross-check fixture holds for this question. */
    public String fixtureLine() {
        return family.label() + "|" + text + "|" + answer + "|" + needle;
    }
}
