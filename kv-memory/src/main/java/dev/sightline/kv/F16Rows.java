package dev.sightline.kv;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Where one KV head's F16 rows lie, in token order: runs of consecutive rows, each a page's segment, the byte
 * offset of its first row and its row count. A row is one token: its key's half floats, then its value's.
 *
 * <p>Why: a decode step reads every row once per layer, and reading them where they lie (instead of first copying
 * and converting every row into a float array) saves a pass over the rows and the writes of twice their bytes. Filled
 * again for every head and step; the arrays only grow.
 */
final class F16Rows {

    MemorySegment[] segments = new MemorySegment[8];
    long[] offsets = new long[8];
    int[] counts = new int[8];
    int runs;
    int tokens;

    void clear() {
        runs = 0;
        tokens = 0;
    }

    void add(MemorySegment segment, long offset, int count) {
        if (count == 0) {
            return;
        }
        if (runs == segments.length) {
            segments = Arrays.copyOf(segments, runs * 2);
            offsets = Arrays.copyOf(offsets, runs * 2);
            counts = Arrays.copyOf(counts, runs * 2);
        }
        segments[runs] = segment;
        offsets[runs] = offset;
        counts[runs] = count;
        runs++;
        tokens += count;
    }
}
