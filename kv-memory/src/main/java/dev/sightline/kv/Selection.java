package dev.sightline.kv;

import java.util.Arrays;

/** Top-k selection with deterministic ties (the newer slot wins), shared by policies. */
public final class Selection {

    private Selection() {
    }

    /**
     * Marks in {@code kept} the {@code k} best-scored slots that are neither protected nor already kept. NaN scores
     * rank lowest.
     */
    public static void keepBest(float[] scores, HeadView head, int k, boolean[] kept) {
        if (k <= 0) {
            return;
        }
        int n = head.size();
        long[] order = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (!kept[i] && !head.isProtected(i)) {
                order[m++] = sortKey(scores[i], i);
            }
        }
        Arrays.sort(order, 0, m);
        for (int j = m - 1; j >= Math.max(0, m - k); j--) {
            kept[(int) order[j]] = true;
        }
    }

    /** A long that sorts by score, then by slot, ascending. */
    static long sortKey(float score, int slot) {
        if (Float.isNaN(score)) {
            score = Float.NEGATIVE_INFINITY;
        }
        int bits = Float.floatToIntBits(score + 0.0f);
        bits ^= (bits >> 31) & 0x7fffffff;   // signed ints now order like the floats
        return ((long) bits << 32) | slot;
    }

    /** Number of slots marked in {@code kept}. */
    static int count(boolean[] kept, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (kept[i]) {
                c++;
            }
        }
        return c;
    }
}
