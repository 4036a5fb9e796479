package dev.sightline.bench.streamqa;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.sightline.bench.streamqa.StreamQaSpec.COLOURS;
import static dev.sightline.bench.streamqa.StreamQaSpec.DIGIT_WORDS;
import static dev.sightline.bench.streamqa.StreamQaSpec.KINDS;
import static dev.sightline.bench.streamqa.StreamQaSpec.timestamp;

/**
 * The questions a scene answers, with their ground truth computed from the scene plan alone, in the order the spec
 * fixes (the Python twin produces the same lists).
 */
public final class Questions {

    private Questions() {
    }

    /** Every answerable question, by family, each family's list in the spec's order. */
    public static Map<Question.Family, List<Question>> all(Scene scene) {
        int frames = scene.frames();
        Map<Question.Family, List<Question>> out = new EnumMap<>(Question.Family.class);
        for (Question.Family f : Question.Family.values()) {
            out.put(f, new ArrayList<>());
        }
        List<Question> recall = out.get(Question.Family.RECALL);
        for (int f = 0; f < frames; f++) {
            for (Scene.SceneObject o : scene.visibleAt(f)) {
                recall.add(new Question(Question.Family.RECALL,
                        "What colour was the " + o.kindName() + " at " + timestamp(f) + "?", o.colourName(), f));
            }
        }
        Map<Integer, Integer> wordCounts = new HashMap<>();
        for (Scene.Sound s : scene.sounds()) {
            if (s.isWord()) {
                wordCounts.merge(s.word(), 1, Integer::sum);
            }
        }
        for (Scene.Sound s : scene.sounds()) {
            if (s.isWord()) {
                recall.add(new Question(Question.Family.RECALL, "Which word was spoken at " + timestamp(s.second())
                        + "?", s.wordText(), s.second()));
            }
        }
        for (Scene.Sound s : scene.sounds()) {
            if (s.isWord() && wordCounts.get(s.word()) == 1) {
                List<Scene.SceneObject> on = scene.visibleAt(s.second());
                if (on.size() == 1) {
                    out.get(Question.Family.CROSSMODAL).add(new Question(Question.Family.CROSSMODAL,
                            "What was on screen when the word " + s.wordText() + " was spoken?", on.get(0).name(),
                            s.second()));
                }
            }
        }
        if (!scene.objects().isEmpty()) {
            Scene.SceneObject first = scene.objects().get(0);
            Scene.SceneObject last = scene.objects().get(0);
            for (Scene.SceneObject o : scene.objects()) {
                if (o.start() < first.start()) {
                    first = o;
                }
                if (o.start() > last.start()) {
                    last = o;
                }
            }
            List<Question> fl = out.get(Question.Family.FIRST_LAST);
            fl.add(new Question(Question.Family.FIRST_LAST, "Which colour appeared first?", first.colourName(),
                    first.start()));
            fl.add(new Question(Question.Family.FIRST_LAST, "Which colour appeared last?", last.colourName(),
                    last.start()));
        }
        for (Scene.SceneObject a : scene.objects()) {
            for (Scene.SceneObject b : scene.objects()) {
                if (a.id() < b.id() && a.colour() != b.colour()) {
                    Scene.SceneObject early = a.start() < b.start() ? a : b;
                    out.get(Question.Family.ORDER).add(new Question(Question.Family.ORDER,
                            "Which appeared first, the " + a.colourName() + " " + a.kindName() + " or the "
                                    + b.colourName() + " " + b.kindName() + "?",
                            early.colourName(), Math.max(a.start(), b.start())));
                }
            }
        }
        List<Question> counting = out.get(Question.Family.COUNTING);
        for (int k = 0; k < KINDS.size(); k++) {
            int n = 0;
            for (Scene.SceneObject o : scene.objects()) {
                n += o.kind() == k ? 1 : 0;
            }
            counting.add(new Question(Question.Family.COUNTING, "How many " + KINDS.get(k) + "s appeared?",
                    DIGIT_WORDS.get(n), frames - 1));
        }
        int tones = 0;
        int words = 0;
        for (Scene.Sound s : scene.sounds()) {
            if (s.isWord()) {
                words++;
            } else {
                tones++;
            }
        }
        counting.add(new Question(Question.Family.COUNTING, "How many tones were heard?", DIGIT_WORDS.get(tones),
                frames - 1));
        counting.add(new Question(Question.Family.COUNTING, "How many words were spoken?", DIGIT_WORDS.get(words),
                frames - 1));
        List<Scene.SceneObject> on = scene.visibleAt(frames - 1);
        List<Question> current = out.get(Question.Family.CURRENT);
        if (on.size() <= 1) {
            current.add(new Question(Question.Family.CURRENT, "What is on screen now?",
                    on.isEmpty() ? "nothing" : on.get(0).name(), frames - 1));
        }
        for (Scene.SceneObject o : on) {
            current.add(new Question(Question.Family.CURRENT, "What colour is the " + o.kindName() + " now?",
                    o.colourName(), frames - 1));
        }
        return out;
    }

    /**
     * The fixed evaluation questions of evaluation stream {@code index}: one per family that has any, drawn with
     * the scene's question generator; the recall question is the one whose needle is nearest the depth
     * {@code (index mod 10 + 1) / 10}, so the evaluation set covers depths 10% to 100% evenly.
     */
    public static List<Question> evaluation(Scene scene, int index) {
        SplitMix64 rng = new SplitMix64(scene.seed() ^ 0x5DEECE66DL);
        Map<Question.Family, List<Question>> candidates = all(scene);
        double target = (index % 10 + 1) / 10.0;
        List<Question> picked = new ArrayList<>();
        for (Question.Family family : Question.Family.values()) {
            List<Question> c = candidates.get(family);
            int r = rng.nextInt(1 << 20);
            if (c.isEmpty()) {
                continue;
            }
            if (family == Question.Family.RECALL) {
                int best = 0;
                for (int i = 1; i < c.size(); i++) {
                    if (Math.abs(c.get(i).depth(scene.frames()) - target)
                            < Math.abs(c.get(best).depth(scene.frames()) - target)) {
                        best = i;
                    }
                }
                picked.add(c.get(best));
            } else {
                picked.add(c.get(r % c.size()));
            }
        }
        return picked;
    }
}
