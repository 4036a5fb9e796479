package dev.sightline.kv;

import java.util.Arrays;

/** The descriptions of a sequence's tokens, in arrival order; heads refer to them by index. */
final class TokenTable {

    private TokenInfo[] infos = new TokenInfo[64];
    private int size;

    int size() {
        return size;
    }

    TokenInfo get(int i) {
        return infos[i];
    }

    void add(TokenInfo info) {
        if (size == infos.length) {
            infos = Arrays.copyOf(infos, size * 2);
        }
        infos[size++] = info;
    }

    /** Drops the last {@code n} entries (an abandoned block). */
    void truncate(int newSize) {
        Arrays.fill(infos, newSize, size, null);
        size = newSize;
    }

    /**
     * Keeps only the entries flagged in {@code live}, in order, and returns the new index of every old index (-1 for
     * dropped ones).
     */
    int[] compact(boolean[] live) {
        int[] remap = new int[size];
        int next = 0;
        for (int i = 0; i < size; i++) {
            if (live[i]) {
                infos[next] = infos[i];
                remap[i] = next++;
            } else {
                remap[i] = -1;
            }
        }
        Arrays.fill(infos, next, size, null);
        size = next;
        return remap;
    }
}
