package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;

/** The little vector arithmetic the stages share. */
final class Vectors {
    private Vectors() {
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            return 0; // a zero vector resembles nothing
        }
        return dot / Math.sqrt(na * nb);
    }

    /** The merged token: size-weighted mean embedding, sizes added, origin of {@code into}. */
    static Token merge(Token into, Token from) {
        float[] a = into.embedding();
        float[] b = from.embedding();
        int sa = into.mergedSize();
        int sb = from.mergedSize();
        float[] m = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            m[i] = (a[i] * sa + b[i] * sb) / (sa + sb);
        }
        return into.withEmbedding(m, sa + sb);
    }
}
