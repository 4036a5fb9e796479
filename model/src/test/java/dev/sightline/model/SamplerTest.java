package dev.sightline.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 2.9f, -1f, 0f};

    @Test
    void greedyTakesTheLowestIdAmongTheBest() {
        assertThat(Sampler.greedy().next(LOGITS)).isEqualTo(1);
        assertThat(Sampler.greedy().next(new float[]{2f, 5f, 5f})).isEqualTo(1);
    }

    @Test
    void sameSeedSameDrawsAndTopPNarrowsTheChoice() {
        int[] a = new int[200];
        int[] b = new int[200];
        Sampler s1 = new Sampler(1f, 1f, 42);
        Sampler s2 = new Sampler(1f, 1f, 42);
        boolean[] seen = new boolean[LOGITS.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = s1.next(LOGITS);
            b[i] = s2.next(LOGITS);
            seen[a[i]] = true;
        }
        assertThat(a).containsExactly(b);
        assertThat(seen[0]).isTrue(); // full distribution reaches less likely tokens
        Sampler nucleus = new Sampler(1f, 0.5f, 7);
        for (int i = 0; i < 100; i++) {
            assertThat(nucleus.next(LOGITS)).isIn(1, 2);
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> new Sampler(-1f, 1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(1f, 0f, 0)).hasMessageContaining("top-p");
    }
}
