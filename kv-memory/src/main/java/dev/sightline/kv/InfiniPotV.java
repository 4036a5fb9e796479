package dev.sightline.kv;

/**
 * InfiniPot-V: Temporal-axis Redundancy (TaR) plus Value Norm (VaN).
 *
 * <ul>
 *   <li>The most recent frames (the last {@code recentFraction} of the frames the head holds) are kept.</li>
 *   <li>TaR: a past video token whose key is nearly the same as the keys at the <em>same patch</em> (row, column) in
 *       the recent frames is redundant. Score {@code -mean cos(k_past, k_recent)} over the recent frames holding that
 *       patch; the stored patch coordinates keep the comparison right after earlier compressions have removed
 *       tokens. The best TaR tokens fill {@code alpha} of the head's budget, recent frames included.</li>
 *   <li>VaN: the rest of the budget goes to the largest value norms (value norm tracks how much a token carries).</li>
 * </ul>
 * All of this is one score (recent frames, then the TaR picks, then value norm), so wrappers compose with it.
 */
final class InfiniPotV implements CompressionPolicy {

    private static final float TAR_PICK = 1e7f;   // integers stay exact in float up to 2^24
    /** Slots whose keys are decoded at once: one page of F16 64-dim keys. */
    private static final int STRETCH = 64;

    private final double alpha;
    private final double recentFraction;

    InfiniPotV(double alpha, double recentFraction) {
        if (!(alpha >= 0 && alpha <= 1) || !(recentFraction > 0 && recentFraction <= 1)) {
            throw new IllegalArgumentException("InfiniPot-V needs alpha in [0,1] and recentFraction in (0,1], got "
                    + alpha + " and " + recentFraction);
        }
        this.alpha = alpha;
        this.recentFraction = recentFraction;
    }

    @Override
    public String name() {
        return alpha == 0.5 && recentFraction == 0.25 ? "infinipot-v"
                : "infinipot-v-" + alpha + "-" + recentFraction;
    }

    @Override
    public boolean needsTokenNorms() {
        return true;
    }

    @Override
    public float[] score(HeadView head) {
        int n = head.size();
        int dim = head.headDim();
        // VaN for everyone, from the norms kept since each token was stored: values are never decoded
        float[] score = java.util.Arrays.copyOf(head.valueNorms(), n);
        TokenInfo[] tokens = new TokenInfo[n];
        int[] frames = new int[n];
        int videoTokens = 0;
        boolean ordered = true;
        for (int i = 0; i < n; i++) {
            TokenInfo t = head.token(i);
            tokens[i] = t;
            if (isFramePatch(t)) {
                ordered &= videoTokens == 0 || frames[videoTokens - 1] <= t.frameIndex();
                frames[videoTokens++] = t.frameIndex();
            }
        }
        if (videoTokens == 0) {
            return score;
        }
        if (!ordered) {
            java.util.Arrays.sort(frames, 0, videoTokens);   // frames arrive in order, so this is rare
        }
        int distinct = 0;
        for (int j = 0; j < videoTokens; j++) {
            if (j == 0 || frames[j] != frames[j - 1]) {
                frames[distinct++] = frames[j];
            }
        }
        int recentCount = Math.max(1, (int) (distinct * recentFraction));
        int firstRecent = frames[distinct - recentCount];
        float[] keyNorms = head.keyNorms();
        // recent tokens sorted by patch, so each past token finds its same-patch partners by binary search
        long[] recent = new long[n];
        int recentTokens = 0;
        int recentCandidates = 0;
        int firstRecentSlot = n;
        float[] invNorm = new float[n];
        for (int i = 0; i < n; i++) {
            float norm = keyNorms[i];
            invNorm[i] = norm == 0 ? 0 : 1 / norm;
            TokenInfo t = tokens[i];
            if (isFramePatch(t) && t.frameIndex() >= firstRecent) {
                recent[recentTokens++] = patch(t) << 32 | i;
                firstRecentSlot = Math.min(firstRecentSlot, i);
                if (!head.isProtected(i)) {
                    recentCandidates++;
                }
            }
        }
        java.util.Arrays.sort(recent, 0, recentTokens);
        int tarBudget = (int) Math.max(0, Math.round(alpha * head.targetKeep()) - recentCandidates);
        // Each patch's recent keys, unit-normalised and summed once: a past token's mean cosine with them is then
        // one dot product with the sum, instead of one per recent frame (the same value up to float rounding).
        long[] groupPatch = new long[recentTokens];
        int[] groupSize = new int[recentTokens];
        int[] groupOf = new int[n];
        int groups = 0;
        for (int a = 0; a < recentTokens; groups++) {
            long p = recent[a] >>> 32;
            int b = a;
            for (; b < recentTokens && (recent[b] >>> 32) == p; b++) {
                groupOf[(int) recent[b]] = groups;
            }
            groupPatch[groups] = p;
            groupSize[groups] = b - a;
            a = b;
        }
        // Keys are decoded a stretch of STRETCH slots at a time, never the whole head: the stretch stays in the
        // core's caches, and each page is read once. (With their values: F16 pages hold both in one row, and one
        // flat conversion of whole rows is faster than picking out the keys.) The recent frames come first (the sums must be complete before
        // any past token is scored); each patch's sum still adds its keys in slot order, as a whole-head pass would.
        float[] directions = new float[groups * dim];
        float[] stretch = new float[STRETCH * 2 * dim];   // rows [slot][key | value]
        for (int from = firstRecentSlot; from < n; from += STRETCH) {
            int len = Math.min(STRETCH, n - from);
            head.readRows(from, len, stretch);
            for (int i = from; i < from + len; i++) {
                TokenInfo t = tokens[i];
                if (isFramePatch(t) && t.frameIndex() >= firstRecent) {
                    AttentionKernel.axpy(invNorm[i], stretch, (i - from) * 2 * dim, directions, groupOf[i] * dim, dim);
                }
            }
        }
        // TaR scores of past video tokens
        int pastCount = 0;
        long[] order = new long[n];
        int next = 0;
        for (int from = 0; from < n; from += STRETCH) {
            int len = Math.min(STRETCH, n - from);
            boolean read = false;
            for (int i = from; i < from + len; i++) {
                TokenInfo t = tokens[i];
                if (!isFramePatch(t)) {
                    continue;
                }
                if (t.frameIndex() >= firstRecent) {
                    score[i] = Float.MAX_VALUE;
                    continue;
                }
                if (head.isProtected(i)) {
                    continue;
                }
                // a frame's patches come in order, so the group after the last one found is usually the one
                long key = patch(t);
                int g = next < groups && groupPatch[next] == key ? next
                        : java.util.Arrays.binarySearch(groupPatch, 0, groups, key);
                next = g >= 0 ? g + 1 : next;
                float tar = 0;
                if (g >= 0) {
                    if (!read) {
                        head.readRows(from, len, stretch);
                        read = true;
                    }
                    tar = -(AttentionKernel.dot(stretch, (i - from) * 2 * dim, directions, g * dim, dim) * invNorm[i])
                            / groupSize[g];
                }
                order[pastCount++] = Selection.sortKey(tar, i);
            }
        }
        // only the picks need ranking among themselves: select them, then sort just those
        int picksFrom = Math.max(0, pastCount - tarBudget);
        Selection.partitionTop(order, pastCount, picksFrom);
        java.util.Arrays.sort(order, picksFrom, pastCount);
        for (int j = pastCount - 1; j >= picksFrom; j--) {
            // above any value norm; the least redundant ranks highest, so a wrapper that trims keeps it first
            score[(int) order[j]] = TAR_PICK + (j - (pastCount - tarBudget));
        }
        return score;
    }

    private static boolean isFramePatch(TokenInfo t) {
        return t.modality() == Modality.VIDEO && t.frameIndex() >= 0;
    }

    /** A non-negative 31-bit key for the patch (row, column); -1 coordinates map to their own key. */
    private static long patch(TokenInfo t) {
        return ((long) (t.patchRow() & 0x7FFF) << 16) | (t.patchCol() & 0xFFFF);
    }
}
