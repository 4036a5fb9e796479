package dev.sightline.kv;

/**
 * The shape of what a decoder stores per token: {@code layers} layers, each with {@code kvHeads} key/value heads
 * of {@code headDim} floats, read by {@code queryHeads} query heads (grouped-query attention when
 * {@code queryHeads > kvHeads}).
 */
public record KvGeometry(int layers, int kvHeads, int headDim, int queryHeads) {

    public KvGeometry {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || queryHeads <= 0) {
            throw new IllegalArgumentException("KV geometry needs positive sizes, got layers=" + layers
                    + " kvHeads=" + kvHeads + " headDim=" + headDim + " queryHeads=" + queryHeads);
        }
        if (queryHeads % kvHeads != 0) {
            throw new IllegalArgumentException("queryHeads (" + queryHeads + ") must be a multiple of kvHeads ("
                    + kvHeads + ")");
        }
    }

    /** Floats of keys (or of values) per token and layer: all KV heads side by side. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Floats of queries per token and layer: all query heads side by side. */
    public int queryDim() {
        return queryHeads * headDim;
    }

    /** How many query heads read each KV head. */
    public int groupSize() {
        return queryHeads / kvHeads;
    }
}
