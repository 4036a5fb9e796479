package dev.sightline.kv;

/**
 * A run of tokens with their own table and heads: a session's memory, its dialogue region, or an overlay. Every
 * slot and table entry is counted in the session's byte account.
 */
final class Region {

    /** Heap bytes counted per token description (the record, its reference and table slot). */
    static final int TOKEN_BYTES = 64;
    /** Heap bytes counted per head slot: token reference and merged size. */
    static final int SLOT_BYTES = 8;
    /** Extra heap bytes per head slot when attention statistics are tracked. */
    static final int STATS_SLOT_BYTES = 12;
    /** Extra heap bytes per head slot when key and value norms are kept (two floats). */
    static final int NORM_SLOT_BYTES = 8;

    final TokenTable table = new TokenTable();
    final HeadMemory[][] heads;
    final PageFormat format;
    final int slotBytes;
    private final SessionAccount account;

    Region(KvGeometry g, PageFormat format, SessionAccount account, boolean trackStats, boolean trackNorms) {
        this.format = format;
        this.account = account;
        this.slotBytes = SLOT_BYTES + (trackStats ? STATS_SLOT_BYTES : 0) + (trackNorms ? NORM_SLOT_BYTES : 0);
        this.heads = new HeadMemory[g.layers()][g.kvHeads()];
        for (int l = 0; l < g.layers(); l++) {
            for (int h = 0; h < g.kvHeads(); h++) {
                heads[l][h] = new HeadMemory(format, g.headDim(), account, trackStats, trackNorms);
            }
        }
    }

    boolean tracksStats() {
        return heads[0][0].tracksStats();
    }

    boolean tracksNorms() {
        return heads[0][0].tracksNorms();
    }

    long totalSlots() {
        long n = 0;
        for (HeadMemory[] layer : heads) {
            for (HeadMemory h : layer) {
                n += h.size;
            }
        }
        return n;
    }

    int maxSize() {
        int max = 0;
        for (HeadMemory[] layer : heads) {
            for (HeadMemory h : layer) {
                max = Math.max(max, h.size);
            }
        }
        return max;
    }

    double meanSize() {
        return (double) totalSlots() / (heads.length * heads[0].length);
    }

    /** Bytes the region needs at its peak to take {@code n} more tokens in every head. */
    long bytesToAdd(int n) {
        long pages = 0;
        for (HeadMemory[] layer : heads) {
            for (HeadMemory h : layer) {
                pages += h.extraPagesFor(n);
            }
        }
        return pages * account.pageBytes() + (long) n * TOKEN_BYTES
                + (long) n * heads.length * heads[0].length * slotBytes;
    }

    void addToken(TokenInfo info) {
        table.add(info);
        account.addMetadata(TOKEN_BYTES);
    }

    void slotsAdded(int n) {
        account.addMetadata((long) n * slotBytes);
    }

    void slotsRemoved(long n) {
        account.addMetadata(-n * slotBytes);
    }

    /** Drops table entries no head refers to any more and renumbers the heads' references. */
    int dropUnreferencedTokens() {
        boolean[] live = new boolean[table.size()];
        for (HeadMemory[] layer : heads) {
            for (HeadMemory h : layer) {
                for (int i = 0; i < h.size; i++) {
                    live[h.refs[i]] = true;
                }
            }
        }
        int before = table.size();
        int[] remap = table.compact(live);
        int dropped = before - table.size();
        if (dropped > 0) {
            for (HeadMemory[] layer : heads) {
                for (HeadMemory h : layer) {
                    h.remapRefs(remap);
                }
            }
            account.addMetadata(-(long) dropped * TOKEN_BYTES);
        }
        return dropped;
    }

    /** Returns every page and uncounts every byte. */
    void clear() {
        slotsRemoved(totalSlots());
        for (HeadMemory[] layer : heads) {
            for (HeadMemory h : layer) {
                h.clear();
            }
        }
        account.addMetadata(-(long) table.size() * TOKEN_BYTES);
        table.truncate(0);
    }
}
