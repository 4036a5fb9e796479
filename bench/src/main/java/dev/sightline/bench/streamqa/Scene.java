package dev.sightline.bench.streamqa;

import java.util.ArrayList;
import java.util.List;

/**
 * One StreamQA stream's ground truth: {@code frames} seconds (one frame each) over a static background, the objects
 * that appear, move and leave, and the sounds (spoken words or tones), each in its own second.
 */
public record Scene(long seed, int frames, int background, List<SceneObject> objects, List<Sound> sounds) {

    public Scene {
        objects = List.copyOf(objects);
        sounds = List.copyOf(sounds);
    }

    /** A shape or digit glyph, on screen in frames {@code [start, end)}, moving {@code (vx, vy)} pixels a second. */
    public record SceneObject(int id, int kind, int digit, int colour, int start, int end, int x0, int y0, int vx,
                              int vy) {

        public boolean visibleAt(int frame) {
            return frame >= start && frame < end;
        }

        public int x(int frame) {
            return Math.min(StreamQaSpec.MAX_X, Math.max(0, x0 + vx * (frame - start)));
        }

        public int y(int frame) {
            return Math.min(StreamQaSpec.MAX_Y, Math.max(0, y0 + vy * (frame - start)));
        }

        /** What answers call it: its shape, or for a glyph the digit's word. */
        public String name() {
            return kind == StreamQaSpec.DIGIT_KIND ? StreamQaSpec.DIGIT_WORDS.get(digit) : StreamQaSpec.KINDS.get(kind);
        }

        public String kindName() {
            return StreamQaSpec.KINDS.get(kind);
        }

        public String colourName() {
            return StreamQaSpec.COLOURS.get(colour);
        }
    }

    /** A spoken word (index into {@link StreamQaSpec#WORDS}) or a tone (index into {@link StreamQaSpec#TONE_HZ}). */
    public record Sound(int second, boolean isWord, int word, int tone) {

        public String wordText() {
            return StreamQaSpec.WORDS.get(word);
        }
    }

    /** Objects on screen in {@code frame}, in creation order. */
    public List<SceneObject> visibleAt(int frame) {
        List<SceneObject> on = new ArrayList<>(2);
        for (SceneObject o : objects) {
            if (o.visibleAt(frame)) {
                on.add(o);
            }
        }
        return on;
    }
}
