package dev.sightline.kv;

/**
 * What a stored token is, so compression policies can choose well.
 *
 * @param position   the RoPE position its key was rotated with; never re-indexed after eviction
 * @param modality   text, video or audio
 * @param ptsMicros  stream time of the frame or audio chunk it came from, or -1 for text
 * @param frameIndex index of its frame (video) or chunk (audio) in the stream, or -1 for text
 * @param patchRow   row of its patch in the frame's token grid, or -1
 * @param patchCol   column of its patch in the frame's token grid, or -1
 * @param mergedSize how many original tokens it stands for after token merging (1 if unmerged)
 * @param pinned     never evicted (system prompt, attention sinks)
 */
public record TokenInfo(long position, Modality modality, long ptsMicros, int frameIndex,
                        int patchRow, int patchCol, int mergedSize, boolean pinned) {

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
        return new TokenInfo(position, modality, ptsMicros, frameIndex, patchRow, patchCol, mergedSize, true);
    }
}
