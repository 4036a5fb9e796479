package dev.sightline.runtime;

import dev.sightline.kv.ForwardingKvSequence;
import dev.sightline.kv.KvGeometry;
import dev.sightline.kv.KvSequence;
import dev.sightline.kv.Modality;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.kv.TokenInfo;
import dev.sightline.protocol.Answer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wraps the overlay a question is answered in and measures which frames the question looked at: while the question's
 * own tokens pass through the last layer, it recomputes that layer's attention of each question token over the
 * session's memory (dequantized keys as kv-memory holds them, with the same log(merged size) bias and 1/sqrt(d)
 * scale) and sums the attention each frame's tokens receive.
 *
 * <p>Why here and not in kv-memory: kv-memory keeps attention statistics only when its policy needs them, and does not
 * expose them per token. One extra pass over one layer for the question's few tokens is cheap next to the answer.
 * The weights are shares of the attention that went to the memory (overlay tokens left out), summed over heads.
 */
final class EvidenceRecorder extends ForwardingKvSequence {
    private final PagedKvSequence memory;
    private final int lastLayer;
    // (modality, frame or chunk index) -> {weight, pts, index}: video frame 5 and audio chunk 5 are different evidence
    private final Map<String, double[]> weightByFrame = new HashMap<>();
    private boolean firstBlock = true;
    private boolean recording;

    EvidenceRecorder(KvSequence overlay, PagedKvSequence memory) {
        super(overlay);
        this.memory = memory;
        this.lastLayer = memory.geometry().layers() - 1;
    }

    /** The {@code k} frames with the most attention, most first; weights are shares of the memory's attention. */
    List<Answer.Evidence> topFrames(int k) {
        double total = 0;
        for (double[] w : weightByFrame.values()) {
            total += w[0];
        }
        List<Answer.Evidence> all = new ArrayList<>();
        for (var e : weightByFrame.entrySet()) {
            double[] w = e.getValue();
            all.add(new Answer.Evidence((long) w[2], (long) w[1], total > 0 ? w[0] / total : 0));
        }
        all.sort(Comparator.comparingDouble(Answer.Evidence::weight).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }




    @Override
    public void beginBlock(List<TokenInfo> tokens) {
        recording = firstBlock;      // only the question's prompt, not each generated token
        firstBlock = false;
        inner.beginBlock(tokens);
    }


    @Override
    public void attend(int layer, float[] queries, float[] out) {
        inner.attend(layer, queries, out);
        if (recording && layer == lastLayer) {
            record(queries);
        }
    }

    @Override
    public void endBlock() {
        inner.endBlock();
        recording = false;
    }



    private void record(float[] queries) {
        KvGeometry g = memory.geometry();
        int dim = g.headDim();
        int qDim = g.queryDim();
        int n = queries.length / qDim;
        double scale = 1.0 / Math.sqrt(dim);
        for (int h = 0; h < g.kvHeads(); h++) {
            List<TokenInfo> tokens = memory.tokens(lastLayer, h);
            int m = tokens.size();
            if (m == 0) {
                continue;
            }
            float[] keys = memory.headKeysValues(lastLayer, h)[0];
            double[] logits = new double[m];
            for (int group = 0; group < g.groupSize(); group++) {
                int qh = h * g.groupSize() + group;
                for (int i = 0; i < n; i++) {
                    int qo = i * qDim + qh * dim;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < m; j++) {
                        double s = 0;
                        for (int d = 0; d < dim; d++) {
                            s += queries[qo + d] * keys[j * dim + d];
                        }
                        s = s * scale + Math.log(tokens.get(j).mergedSize());
                        logits[j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < m; j++) {
                        logits[j] = Math.exp(logits[j] - max);
                        sum += logits[j];
                    }
                    for (int j = 0; j < m; j++) {
                        TokenInfo t = tokens.get(j);
                        if (t.modality() == Modality.TEXT && t.frameIndex() < 0) {
                            continue;                 // the system prompt is not evidence of anything seen
                        }
                        double[] w = weightByFrame.computeIfAbsent(t.modality() + ":" + t.frameIndex(),
                                f -> new double[] {0, t.ptsMicros(), t.frameIndex()});
                        w[0] += logits[j] / sum;
                    }
                }
            }
        }
    }
}
