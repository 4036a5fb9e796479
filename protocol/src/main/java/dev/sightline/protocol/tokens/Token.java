package dev.sightline.protocol.tokens;

import java.util.Arrays;

/**
 * One kept token: its embedding plus where it came from, so kv-memory's policies can reason about it.
 *
 * @param embedding  the model-space embedding (carried as F16 on the wire)
 * @param patchRow   row of its original patch in the frame's token grid, or -1 for audio
 * @param patchCol   column of its original patch in the frame's token grid, or -1 for audio
 * @param frameIndex index of the frame (video) or chunk (audio) it came from
 * @param ptsMicros  stream time of that frame, or of this audio token's own time slot
 * @param mergedSize how many original tokens it stands for after merging (1 if unmerged)
 */
public record Token(float[] embedding, int patchRow, int patchCol, long frameIndex, long ptsMicros,
                    int mergedSize) {

    public Token {
        if (embedding == null || embedding.length == 0) {
            throw new IllegalArgumentException("token embedding must be non-empty");
        }
        if (mergedSize < 1) {
            throw new IllegalArgumentException("token mergedSize must be >= 1, got " + mergedSize);
        }
        if (patchRow < -1 || patchCol < -1) {
            throw new IllegalArgumentException("token patch row/col must be >= -1, got " + patchRow + "/" + patchCol);
        }
        if (frameIndex < 0) {
            throw new IllegalArgumentException("token frameIndex must be >= 0, got " + frameIndex);
        }
    }

    /** A token with the same origin and a new embedding and size (used when merging). */
    public Token withEmbedding(float[] newEmbedding, int newMergedSize) {
        return new Token(newEmbedding, patchRow, patchCol, frameIndex, ptsMicros, newMergedSize);
    }

    // Records compare arrays by identity; tokens are values, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof Token t && patchRow == t.patchRow && patchCol == t.patchCol
                && frameIndex == t.frameIndex && ptsMicros == t.ptsMicros && mergedSize == t.mergedSize
                && Arrays.equals(embedding, t.embedding);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(embedding) + Long.hashCode(frameIndex * 131 + patchRow * 17L + patchCol);
    }

    @Override
    public String toString() {
        return "Token[r" + patchRow + " c" + patchCol + " frame " + frameIndex + " pts " + ptsMicros
                + " size " + mergedSize + " dim " + embedding.length + "]";
    }
}
