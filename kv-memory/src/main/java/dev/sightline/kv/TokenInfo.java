package dev.sightline.kv;

/**
 * What a stored token is, so compression policies can choose well.
 *
 * @param position   the RoPE position its key was rotated with; never re-indexed after eviction. For M-RoPE models,
 *                   the token's order position (for example its temporal index), with the three indices below
 * @param modality   text, video or audio
 * @param ptsMicros  stream time of the frame or audio chunk it came from, or -1 for text
 * @param frameIndex index of its frame (video) or chunk (audio) in the stream, or -1 for text
 * @param patchRow   row of its patch in the frame's token grid, or -1
 * @param patchCol   column of its patch in the frame's token grid, or -1
 * @param mergedSize how many original tokens it stands for after token merging (1 if unmerged)
 * @param pinned     never evicted (system prompt, attention sinks)
 * @param ropeT      M-RoPE temporal index the key was rotated with, or -1 for plain (1-D) RoPE
 * @param ropeH      M-RoPE height index, or -1
 * @param ropeW      M-RoPE width index, or -1
 */
public record TokenInfo(long position, Modality modality, long ptsMicros, int frameIndex,
                        int patchRow, int patchCol, int mergedSize, boolean pinned,
                        long ropeT, long ropeH, long ropeW) {

    public TokenInfo {
        if (position < 0) {
            throw new IllegalArgumentException("token position must be >= 0, got " + position);
        }
        if (mergedSize < 1) {
            throw new IllegalArgumentException("mergedSize must be >= 1, got " + mergedSize);
        }
        if (modality == null) {
            throw new IllegalArgumentException("modality is required");
        }
        boolean none = ropeT == -1 && ropeH == -1 && ropeW == -1;
        boolean all = ropeT >= 0 && ropeH >= 0 && ropeW >= 0;
        if (!none && !all) {
            throw new IllegalArgumentException("M-RoPE indices must be all >= 0 or all -1, got (" + ropeT + ", "
                    + ropeH + ", " + ropeW + ")");
        }
    }

    /** A token rotated with plain (1-D) RoPE at {@code position}. */
    public TokenInfo(long position, Modality modality, long ptsMicros, int frameIndex, int patchRow, int patchCol,
                     int mergedSize, boolean pinned) {
        this(position, modality, ptsMicros, frameIndex, patchRow, patchCol, mergedSize, pinned, -1, -1, -1);
    }

    public static TokenInfo text(long position) {
        return new TokenInfo(position, Modality.TEXT, -1, -1, -1, -1, 1, false);
    }

    public static TokenInfo pinnedText(long position) {
        return new TokenInfo(position, Modality.TEXT, -1, -1, -1, -1, 1, true);
    }

    public static TokenInfo video(long position, long ptsMicros, int frameIndex, int patchRow, int patchCol,
                                  int mergedSize) {
        return new TokenInfo(position, Modality.VIDEO, ptsMicros, frameIndex, patchRow, patchCol, mergedSize, false);
    }

    public static TokenInfo audio(long position, long ptsMicros, int chunkIndex, int mergedSize) {
        return new TokenInfo(position, Modality.AUDIO, ptsMicros, chunkIndex, -1, -1, mergedSize, false);
    }

    public TokenInfo asPinned() {
        return new TokenInfo(position, modality, ptsMicros, frameIndex, patchRow, patchCol, mergedSize, true, ropeT,
                ropeH, ropeW);
    }

    /** The same token, rotated with M-RoPE at the indices (t, h, w). */
    public TokenInfo withMRope(long t, long h, long w) {
        return new TokenInfo(position, modality, ptsMicros, frameIndex, patchRow, patchCol, mergedSize, pinned, t, h,
                w);
    }

    /** Whether the key was rotated with M-RoPE (three indices) rather than one position. */
    public boolean hasMRope() {
        return ropeT >= 0;
    }

    /** The largest rotary index the token used: where the positions of what follows must start above. */
    public long maxRopeIndex() {
        return Math.max(position, Math.max(ropeT, Math.max(ropeH, ropeW)));
    }
}
