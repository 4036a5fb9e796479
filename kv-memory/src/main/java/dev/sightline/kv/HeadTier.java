package dev.sightline.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of one KV head of one layer in one page format: a run of groups laid out over pages, in token order.
 * Only the last group may be partly filled.
 */
final class HeadTier {

    final PageCodec codec;
    private final PageSource source;
    private final int groupTokens;
    private final int groupBytes;
    private final int groupsPerPage;
    private final List<KvPool.Page> pages = new ArrayList<>();
    private int count;

    // the sum of compaction's touch reads, kept so that the JIT cannot drop them as unused
    @SuppressWarnings("unused")
    private long touched;

    // one group's tokens, for read-modify-write of partial groups
    private final float[] gk;
    private final float[] gv;

    HeadTier(PageCodec codec, PageSource source) {
        this.codec = codec;
        this.source = source;
        this.groupTokens = codec.groupTokens();
        this.groupBytes = codec.groupBytes();
        this.groupsPerPage = source.pageBytes() / groupBytes;
        if (groupsPerPage < 1) {
            throw new IllegalArgumentException("a " + codec.format() + " group of " + groupBytes
                    + " bytes does not fit a page of " + source.pageBytes() + " bytes");
        }
        this.gk = new float[groupTokens * codec.headDim];
        this.gv = new float[groupTokens * codec.headDim];
    }

    int count() {
        return count;
    }

    int pageCount() {
        return pages.size();
    }

    int tokensPerPage() {
        return groupsPerPage * groupTokens;
    }

    /** Page {@code p}'s memory: for the decode kernel that reads F16 rows where they lie ({@link F16Rows}). */
    java.lang.foreign.MemorySegment pageSegment(int p) {
        return pages.get(p).segment();
    }

    /** Pages a tier holding {@code tokens} tokens needs. */
    int pagesFor(int tokens) {
        return ceilDiv(tokens, tokensPerPage());
    }

    private long groupOffset(int group) {
        return (long) (group % groupsPerPage) * groupBytes;
    }

    private java.lang.foreign.MemorySegment groupSegment(int group) {
        return pages.get(group / groupsPerPage).segment();
    }

    private void ensurePages(int tokens) {
        while (pages.size() < pagesFor(tokens)) {
            pages.add(source.takePage());
        }
    }

    private void releasePagesBeyond(int tokens) {
        int keep = pagesFor(tokens);
        while (pages.size() > keep) {
            source.givePage(pages.removeLast());
        }
    }

    /** Appends {@code n} tokens from arrays {@code [token][headDim]} starting at token {@code tok}. */
    void append(float[] k, float[] v, int tok, int n) {
        ensurePages(count + n);
        int done = 0;
        while (done < n) {
            int group = count / groupTokens;
            int inGroup = count % groupTokens;
            int take = Math.min(groupTokens - inGroup, n - done);
            if (inGroup == 0) {
                codec.encode(k, v, tok + done, take, groupSegment(group), groupOffset(group));
            } else {
                // a partly filled group is re-encoded whole, since its quantization ranges cover all its tokens
                codec.decode(groupSegment(group), groupOffset(group), inGroup, gk, gv, 0);
                int dim = codec.headDim;
                System.arraycopy(k, (tok + done) * dim, gk, inGroup * dim, take * dim);
                System.arraycopy(v, (tok + done) * dim, gv, inGroup * dim, take * dim);
                codec.encode(gk, gv, 0, inGroup + take, groupSegment(group), groupOffset(group));
            }
            count += take;
            done += take;
        }
    }

    /** Decodes tokens {@code [from, from+n)} into the arrays at token {@code tok}. */
    void read(int from, int n, float[] k, float[] v, int tok) {
        int t = from;
        int end = from + n;
        if (groupTokens == 1) {
            // one token per group: convert each page's run in one go
            while (t < end) {
                int inPage = t % groupsPerPage;
                int run = Math.min(groupsPerPage - inPage, end - t);
                codec.decodeRun(pages.get(t / groupsPerPage).segment(), (long) inPage * groupBytes, run, k, v,
                        tok + (t - from));
                t += run;
            }
            return;
        }
        while (t < end) {
            int group = t / groupTokens;
            int inGroup = t % groupTokens;
            int groupCount = Math.min(groupTokens, count - group * groupTokens);
            if (inGroup == 0 && group * groupTokens + groupCount <= end) {
                codec.decode(groupSegment(group), groupOffset(group), groupCount, k, v, tok + (t - from));
                t += groupCount;
            } else {
                codec.decode(groupSegment(group), groupOffset(group), groupCount, gk, gv, 0);
                int take = Math.min(groupCount - inGroup, end - t);
                int dim = codec.headDim;
                System.arraycopy(gk, inGroup * dim, k, (tok + t - from) * dim, take * dim);
                System.arraycopy(gv, inGroup * dim, v, (tok + t - from) * dim, take * dim);
                t += take;
            }
        }
    }

    /**
     * Decodes tokens {@code [from, from + n)} into rows {@code [token][key | value]} from token {@code tok}; F16
     * tiers only.
     */
    void readRows(int from, int n, float[] rows, int tok) {
        F16Codec f16 = (F16Codec) codec;
        int t = from;
        int end = from + n;
        while (t < end) {
            int inPage = t % groupsPerPage;
            int run = Math.min(groupsPerPage - inPage, end - t);
            f16.decodeRows(pages.get(t / groupsPerPage).segment(), (long) inPage * groupBytes, run, rows,
                    tok + (t - from));
            t += run;
        }
    }

    /**
     * Keeps the tokens whose {@code keep} flag (indexed from {@code keepFrom}) is set, in order, compacting in place:
     * a kept token only ever moves to an earlier slot, and a new group is written only once every old token it
     * overlays has been read. Freed pages go back to the source. Returns the new count.
     */
    int compact(boolean[] keep, int keepFrom) {
        if (groupTokens == 1) {
            return compactTokens(keep, keepFrom);
        }
        int dim = codec.headDim;
        float[] inK = new float[groupTokens * dim];
        float[] inV = new float[groupTokens * dim];
        int loadedGroup = -1;
        int written = 0;      // tokens written to the compacted layout
        int buffered = 0;     // kept tokens waiting in gk/gv for their group
        for (int t = 0; t < count; t++) {
            if (!keep[keepFrom + t]) {
                continue;
            }
            int group = t / groupTokens;
            if (group != loadedGroup) {
                codec.decode(groupSegment(group), groupOffset(group),
                        Math.min(groupTokens, count - group * groupTokens), inK, inV, 0);
                loadedGroup = group;
            }
            int inGroup = t % groupTokens;
            System.arraycopy(inK, inGroup * dim, gk, buffered * dim, dim);
            System.arraycopy(inV, inGroup * dim, gv, buffered * dim, dim);
            buffered++;
            if (buffered == groupTokens) {
                int out = written / groupTokens;
                codec.encode(gk, gv, 0, buffered, groupSegment(out), groupOffset(out));
                written += buffered;
                buffered = 0;
            }
        }
        if (buffered > 0) {
            int out = written / groupTokens;
            codec.encode(gk, gv, 0, buffered, groupSegment(out), groupOffset(out));
            written += buffered;
        }
        count = written;
        releasePagesBeyond(count);
        return count;
    }

    /**
     * Compaction when every token is its own group: move the kept tokens' bytes, no re-encoding. The kept prefix
     * stays where it is; after it, one sweep over the source pages copies each run of kept tokens to the write
     * cursor, split only where the destination page ends. The sweep keeps its page and in-page positions as
     * counters (no division per run) and the pages' segments in an array: with scattered evictions there are a few
     * hundred runs of two or three tokens per head, so per-run bookkeeping costs as much as the bytes.
     */
    private int compactTokens(boolean[] keep, int keepFrom) {
        // whole pages evicted at the front (oldest frames, as recent-frames evicts) go back to the pool unmoved;
        // every later token shifts down by the pages dropped
        int dropped = 0;
        while (dropped < count && !keep[keepFrom + dropped]) {
            dropped++;
        }
        int pagesDropped = Math.min(dropped, count) / groupsPerPage;
        if (pagesDropped > 0) {
            for (int p = 0; p < pagesDropped; p++) {
                source.givePage(pages.removeFirst());
            }
            int shift = pagesDropped * groupsPerPage;
            keepFrom += shift;
            count -= shift;
        }
        int t = 0;
        while (t < count && keep[keepFrom + t]) {
            t++;
        }
        if (t == count) {
            releasePagesBeyond(count);
            return count;
        }
        int pageCount = pages.size();
        java.lang.foreign.MemorySegment[] segs = new java.lang.foreign.MemorySegment[pageCount];
        for (int p = 0; p < pageCount; p++) {
            segs[p] = pages.get(p).segment();
        }
        int per = groupsPerPage;
        long bytes = groupBytes;
        int dstPage = t / per;       // write cursor
        int dstAt = t % per;
        int written = t;
        long touched = 0;
        for (int srcPage = t / per; srcPage < pageCount; srcPage++) {
            int base = keepFrom + srcPage * per;
            int end = Math.min(per, count - srcPage * per);
            int i = srcPage == t / per ? t % per : 0;
            boolean inCache = false;
            while (i < end) {
                if (!keep[base + i]) {
                    i++;
                    continue;
                }
                int j = i + 1;
                while (j < end && keep[base + j]) {
                    j++;
                }
                if (i == 0 && j == per && dstAt == 0) {
                    // a whole kept page onto a page start: relink the page instead of copying it. Everything the
                    // destination page held sits before this one and has been moved or evicted already.
                    KvPool.Page dead = pages.get(dstPage);
                    pages.set(dstPage, pages.get(srcPage));
                    pages.set(srcPage, dead);
                    segs[dstPage] = segs[srcPage];
                    segs[srcPage] = dead.segment();
                    dstPage++;
                    written += per;
                    break;
                }
                if (!inCache) {
                    // only pages whose tokens are copied: a relinked page is never read
                    touched += touch(segs[srcPage], i * bytes, end * bytes);
                    inCache = true;
                }
                int from = i;
                while (from < j) {
                    int run = Math.min(j - from, per - dstAt);
                    java.lang.foreign.MemorySegment.copy(segs[srcPage], from * bytes, segs[dstPage], dstAt * bytes,
                            run * bytes);
                    from += run;
                    dstAt += run;
                    written += run;
                    if (dstAt == per) {
                        dstPage++;
                        dstAt = 0;
                    }
                }
                i = j;
            }
        }
        count = written;
        releasePagesBeyond(count);
        this.touched = touched;
        return count;
    }

    /**
     * Reads one long of every cache line of bytes {@code [from, to)} of a page, in one sequential sweep, and returns
     * their sum. Java has no prefetch instruction; this is one. A sweep's loads are independent, so the memory
     * system serves them many at a time at full rate, and the short copies that follow (two or three tokens each,
     * with scattered evictions) find the page in cache instead of each waiting on memory: about a fifth faster
     * than copying straight from memory here.
     */
    private static long touch(java.lang.foreign.MemorySegment page, long from, long to) {
        long sum = 0;
        for (long at = from; at < to; at += 64) {
            sum += page.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at);
        }
        return sum;
    }

    /** Replaces token {@code slot} with the key and value at token {@code tok} of the arrays. */
    void overwrite(int slot, float[] k, float[] v, int tok) {
        int group = slot / groupTokens;
        int groupCount = Math.min(groupTokens, count - group * groupTokens);
        codec.decode(groupSegment(group), groupOffset(group), groupCount, gk, gv, 0);
        int dim = codec.headDim;
        System.arraycopy(k, tok * dim, gk, (slot % groupTokens) * dim, dim);
        System.arraycopy(v, tok * dim, gv, (slot % groupTokens) * dim, dim);
        codec.encode(gk, gv, 0, groupCount, groupSegment(group), groupOffset(group));
    }

    /** Drops the first {@code n} tokens (moving the rest to the front) and frees pages no longer needed. */
    void dropFirst(int n) {
        boolean[] keep = new boolean[count];
        java.util.Arrays.fill(keep, n, count, true);
        compact(keep, 0);
    }

    /** Returns every page. */
    void clear() {
        count = 0;
        releasePagesBeyond(0);
    }

    // --- raw bytes, for snapshots: exactly the bytes of the used groups

    void writeRaw(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(count);
        int groups = ceilDiv(count, groupTokens);
        byte[] buf = new byte[groupBytes];
        for (int g = 0; g < groups; g++) {
            java.lang.foreign.MemorySegment.copy(groupSegment(g), java.lang.foreign.ValueLayout.JAVA_BYTE,
                    groupOffset(g), buf, 0, groupBytes);
            out.write(buf);
        }
    }

    void readRaw(java.io.DataInput in, int maxTokens) throws java.io.IOException {
        int n = in.readInt();
        if (n < 0 || n > maxTokens) {
            throw new KvSnapshotException("tier token count " + n + " out of range 0.." + maxTokens);
        }
        clear();
        ensurePages(n);
        count = n;
        int groups = ceilDiv(n, groupTokens);
        byte[] buf = new byte[groupBytes];
        for (int g = 0; g < groups; g++) {
            in.readFully(buf);
            java.lang.foreign.MemorySegment.copy(buf, 0, groupSegment(g), java.lang.foreign.ValueLayout.JAVA_BYTE,
                    groupOffset(g), groupBytes);
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
