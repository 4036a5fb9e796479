package dev.sightline.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (argmax, lowest id on ties, as torch.argmax) when temperature is 0,
 * otherwise softmax at the temperature restricted to the top-p nucleus, drawn from a seeded generator so a run can
 * be repeated exactly.
 */
public final class Sampler {

    private final float temperature;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(float temperature, float topP, long seed) {
        if (temperature < 0 || Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0f, 1f, 0);
    }

    public int next(float[] logits) {
        if (temperature == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        float max = logits[argmax(logits)];
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double cumulative = 0;
        int keep = 0;
        while (keep < n) {
            cumulative += p[order[keep]];
            keep++;
            if (cumulative >= topP) {
                break;
            }
        }
        double r = random.nextDouble() * cumulative;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += p[order[i]];
            if (r < acc) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
