package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DenseKvSequenceTest {

    private final KvGeometry geometry = new KvGeometry(1, 1, 2, 2);

    @Test
    void aSingleTokenAttendsOnlyToItself() {
        try (var seq = new DenseKvSequence(geometry)) {
            seq.beginBlock(List.of(TokenInfo.text(0)));
            seq.store(0, new float[] {1, 0}, new float[] {3, 4});
            float[] out = new float[4];
            seq.attend(0, new float[] {5, 5, -1, 2}, out);
            seq.endBlock();
            assertThat(out).containsExactly(3, 4, 3, 4);
            assertThat(seq.nextPosition()).isEqualTo(1);
        }
    }

    @Test
    void attentionIsCausalWithinABlockAndSoftmaxWeighted() {
        try (var seq = new DenseKvSequence(new KvGeometry(1, 1, 1, 1))) {
            seq.beginBlock(List.of(TokenInfo.text(0), TokenInfo.text(1)));
            seq.store(0, new float[] {0, 0}, new float[] {10, 20});
            float[] out = new float[2];
            seq.attend(0, new float[] {1, 1}, out);
            seq.endBlock();
            assertThat(out[0]).isEqualTo(10f);     // first query sees only the first token
            assertThat(out[1]).isEqualTo(15f);     // equal keys: plain average
        }
    }

    @Test
    void mergedTokensGetProportionalAttention() {
        try (var seq = new DenseKvSequence(new KvGeometry(1, 1, 1, 1))) {
            seq.beginBlock(List.of(TokenInfo.video(0, 0, 0, 0, 0, 3), TokenInfo.text(1)));
            seq.store(0, new float[] {0, 0}, new float[] {0, 4});
            float[] out = new float[2];
            seq.attend(0, new float[] {1, 1}, out);
            seq.endBlock();
            assertThat(out[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f)); // weights 3:1
        }
    }

    @Test
    void anOverlayLeavesTheSequenceAsItWas() {
        try (var seq = new DenseKvSequence(new KvGeometry(1, 1, 1, 1))) {
            seq.beginBlock(List.of(TokenInfo.text(0)));
            seq.store(0, new float[] {0}, new float[] {2});
            seq.attend(0, new float[] {0}, new float[1]);
            seq.endBlock();
            try (var overlay = seq.overlay()) {
                overlay.beginBlock(List.of(TokenInfo.text(1)));
                overlay.store(0, new float[] {0}, new float[] {4});
                float[] out = new float[1];
                overlay.attend(0, new float[] {0}, out);
                overlay.endBlock();
                assertThat(out[0]).isEqualTo(3f);
                assertThat(overlay.size()).isEqualTo(2);
                assertThatThrownBy(() -> seq.beginBlock(List.of(TokenInfo.text(1))))
                        .hasMessageContaining("overlay");
            }
            assertThat(seq.size()).isEqualTo(1);
            assertThat(seq.nextPosition()).isEqualTo(1);
        }
    }

    @Test
    void wrongShapesAreRefusedWithTheirSizes() {
        try (var seq = new DenseKvSequence(geometry)) {
            seq.beginBlock(List.of(TokenInfo.text(0)));
            assertThatThrownBy(() -> seq.store(0, new float[3], new float[2]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1 x 2");
        }
    }
}
