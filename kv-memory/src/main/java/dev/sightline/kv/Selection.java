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
        int from = Math.max(0, m - k);
        partitionTop(order, m, from);
        for (int j = m - 1; j >= from; j--) {
            kept[(int) order[j]] = true;
        }
    }

    /**
     * Reorders {@code keys[0..m)} so that {@code keys[from..m)} hold the {@code m - from} largest keys (in no
     * particular order) and everything before {@code from} is smaller: the same set a full sort would put there,
     * since keys are distinct (they carry their slot), found by quickselect in linear time on average.
     */
    static void partitionTop(long[] keys, int m, int from) {
        int lo = 0;
        int hi = m - 1;
        while (from > lo && from <= hi) {
            if (hi - lo < 16) {
                Arrays.sort(keys, lo, hi + 1);
                return;
            }
            // median of three as the pivot, then Hoare partition
            int mid = (lo + hi) >>> 1;
            long a = keys[lo];
            long b = keys[mid];
            long c = keys[hi];
            long pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i] = keys[j];
                    keys[j] = t;
                    i++;
                    j--;
                }
            }
            // now keys[lo..j] <= pivot <= keys[i..hi], and keys[j+1..i-1] == pivot
            if (from <= j) {
                hi = j;
            } else if (from >= i) {
                lo = i;
            } else {
                return;
            }
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
