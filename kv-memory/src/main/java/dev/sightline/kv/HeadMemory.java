package dev.sightline.kv;

import java.util.Arrays;

/**
 * Everything one KV head of one layer holds: its tokens' keys and values in pages (a main tier in the session's
 * format and, for KIVI, an F16 residual tier with the newest tokens), and per slot the token it is (an index into
 * the sequence's {@link TokenTable}), its merged size, and the attention statistics when a policy asks for them.
 *
 * <p>Slots are in token order: the main tier's tokens, then the residual tier's.
 */
final class HeadMemory {

    final HeadTier main;
    final HeadTier residual;          // null unless the format keeps recent tokens in F16
    private final int residualLimit;
    private final int dim;

    int[] refs = new int[16];
    int[] merged = new int[16];
    float[] accumulated;              // attention statistics, null unless tracked
    float[] last;
    float[] window;
    float[] keyNorm;                  // L2 norms computed when stored, null unless the policy reads them
    float[] valueNorm;
    int size;

    HeadMemory(PageFormat format, int headDim, PageSource source, boolean trackStats, boolean trackNorms) {
        this.dim = headDim;
        this.main = new HeadTier(PageCodec.of(format, headDim), source);
        this.residualLimit = format.residualTokens();
        this.residual = residualLimit > 0 ? new HeadTier(PageCodec.of(PageFormat.F16, headDim), source) : null;
        if (trackStats) {
            accumulated = new float[16];
            last = new float[16];
            window = new float[16];
        }
        if (trackNorms) {
            keyNorm = new float[16];
            valueNorm = new float[16];
        }
    }

    boolean tracksStats() {
        return accumulated != null;
    }

    boolean tracksNorms() {
        return keyNorm != null;
    }

    int pageCount() {
        return main.pageCount() + (residual == null ? 0 : residual.pageCount());
    }

    /** Tokens the residual tier hands to the main tier when it holds {@code r} tokens: whole groups past the limit. */
    private int migration(int r) {
        int group = main.codec.groupTokens();
        return r >= residualLimit + group ? (r - residualLimit) / group * group : 0;
    }

    /** Extra pages the head needs at its peak while taking {@code n} more tokens (and settling them). */
    int extraPagesFor(int n) {
        if (residual == null) {
            return main.pagesFor(main.count() + n) - main.pageCount();
        }
        int r = residual.count() + n;
        int peak = main.pagesFor(main.count() + migration(r)) + residual.pagesFor(r);
        return Math.max(0, peak - pageCount());
    }

    /**
     * Appends {@code n} tokens (keys/values {@code [n][headDim]} from token {@code tok}) whose descriptions are table
     * entries {@code firstRef..firstRef+n-1}.
     */
    void append(float[] k, float[] v, int tok, int n, int firstRef, int[] mergedSizes, int mergedFrom) {
        (residual != null ? residual : main).append(k, v, tok, n);
        grow(size + n);
        for (int i = 0; i < n; i++) {
            refs[size + i] = firstRef + i;
            merged[size + i] = mergedSizes[mergedFrom + i];
        }
        if (accumulated != null) {
            // slots past the old size may hold statistics of tokens evicted earlier
            Arrays.fill(accumulated, size, size + n, 0f);
            Arrays.fill(last, size, size + n, 0f);
            Arrays.fill(window, size, size + n, 0f);
        }
        if (keyNorm != null) {
            for (int i = 0; i < n; i++) {
                keyNorm[size + i] = AttentionKernel.norm(k, (tok + i) * dim, dim);
                valueNorm[size + i] = AttentionKernel.norm(v, (tok + i) * dim, dim);
            }
        }
        size += n;
    }

    /** Moves tokens that left the F16 residual window into the quantized tier. */
    void settle() {
        if (residual == null) {
            return;
        }
        int m = migration(residual.count());
        if (m == 0) {
            return;
        }
        float[] k = new float[m * dim];
        float[] v = new float[m * dim];
        residual.read(0, m, k, v, 0);
        main.append(k, v, 0, m);
        residual.dropFirst(m);
    }

    /** Whether {@link #readAll} can decode keys or values alone (null for the other): F16 pages, no second tier. */
    boolean decodesHalves() {
        return residual == null && main.codec instanceof F16Codec;
    }

    /**
     * Decodes every slot's key and value into the arrays, starting at token {@code tok}. One of the arrays may be
     * null (that half is skipped) when {@link #decodesHalves()}.
     */
    void readAll(float[] k, float[] v, int tok) {
        main.read(0, main.count(), k, v, tok);
        if (residual != null) {
            residual.read(0, residual.count(), k, v, tok + main.count());
        }
    }

    /**
     * Decodes every slot into rows {@code [slot][key | value]} from token {@code tok} (each row 2 x headDim floats),
     * when {@link #decodesHalves()}: the layout F16 pages already have, so one conversion covers a whole page.
     */
    void readAllRows(float[] rows, int tok) {
        main.readRows(0, main.count(), rows, tok);
    }

    /**
     * Adds where every slot's row lies to {@code rows}, in slot order, when {@link #decodesHalves()}: tokens fill a
     * tier's pages from the first page's start, so each page holds one run.
     */
    void addRows(F16Rows rows) {
        int perPage = main.tokensPerPage();
        int count = main.count();
        for (int p = 0, t = 0; t < count; p++, t += perPage) {
            rows.add(main.pageSegment(p), 0, Math.min(perPage, count - t));
        }
    }

    /** Decodes slots {@code [from, from + n)} into rows {@code [slot][key | value]} from row 0; F16 only. */
    void readRows(int from, int n, float[] rows) {
        main.readRows(from, n, rows, 0);
    }

    /** Decodes slot {@code slot}'s key and value into the arrays at token 0. */
    void readSlot(int slot, float[] k, float[] v) {
        if (slot < main.count()) {
            main.read(slot, 1, k, v, 0);
        } else {
            residual.read(slot - main.count(), 1, k, v, 0);
        }
    }

    /** Keeps the flagged slots in order; returns how many were evicted. */
    int compact(boolean[] keep) {
        int mainCount = main.count();
        main.compact(keep, 0);
        if (residual != null) {
            residual.compact(keep, mainCount);
        }
        int next = 0;
        for (int i = 0; i < size; i++) {
            if (keep[i]) {
                refs[next] = refs[i];
                merged[next] = merged[i];
                if (accumulated != null) {
                    accumulated[next] = accumulated[i];
                    last[next] = last[i];
                    window[next] = window[i];
                }
                if (keyNorm != null) {
                    keyNorm[next] = keyNorm[i];
                    valueNorm[next] = valueNorm[i];
                }
                next++;
            }
        }
        int evicted = size - next;
        size = next;
        return evicted;
    }

    /** Replaces slot {@code slot}'s key and value (a merged prototype) and its merged size. */
    void overwrite(int slot, float[] k, float[] v, int mergedSize) {
        if (slot < main.count()) {
            main.overwrite(slot, k, v, 0);
        } else {
            residual.overwrite(slot - main.count(), k, v, 0);
        }
        merged[slot] = mergedSize;
        if (keyNorm != null) {
            keyNorm[slot] = AttentionKernel.norm(k, 0, dim);
            valueNorm[slot] = AttentionKernel.norm(v, 0, dim);
        }
    }

    void remapRefs(int[] remap) {
        for (int i = 0; i < size; i++) {
            refs[i] = remap[refs[i]];
        }
    }

    void clear() {
        main.clear();
        if (residual != null) {
            residual.clear();
        }
        size = 0;
    }

    void grow(int capacity) {
        if (capacity > refs.length) {
            int n = Math.max(capacity, refs.length * 2);
            refs = Arrays.copyOf(refs, n);
            merged = Arrays.copyOf(merged, n);
            if (accumulated != null) {
                accumulated = Arrays.copyOf(accumulated, n);
                last = Arrays.copyOf(last, n);
                window = Arrays.copyOf(window, n);
            }
            if (keyNorm != null) {
                keyNorm = Arrays.copyOf(keyNorm, n);
                valueNorm = Arrays.copyOf(valueNorm, n);
            }
        }
    }
}
