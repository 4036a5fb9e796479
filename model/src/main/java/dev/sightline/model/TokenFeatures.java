package dev.sightline.model;

/** A run of {@code tokens} feature vectors of {@code dim} floats, row-major (an audio window's encoder output). */
public record TokenFeatures(int tokens, int dim, float[] data) {

    public TokenFeatures {
        if ((long) tokens * dim != data.length) {
            throw new IllegalArgumentException(tokens + " tokens of " + dim + " need " + (long) tokens * dim
                    + " floats, got " + data.length);
        }
    }
}
