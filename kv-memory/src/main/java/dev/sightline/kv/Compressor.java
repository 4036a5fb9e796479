package dev.sightline.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One compression pass over a session's memory: per layer, ask the policy what each head keeps, protect pinned
 * tokens and the recent window whatever it says, let it merge what it evicts, compact every head in place (pages
 * freed), then drop token descriptions no head refers to. Layers are compressed on up to
 * {@link KvMemoryConfig#compressionThreads()} threads at once; each layer's work is the same whichever thread does
 * it, so the result does not depend on the thread count.
 */
final class Compressor {

    private final Region region;
    private final KvGeometry geometry;
    private final KvMemoryConfig config;
    private final SessionAccount account;
    private final CompressionPolicy policy;

    Compressor(Region region, KvGeometry geometry, KvMemoryConfig config, SessionAccount account) {
        this.region = region;
        this.geometry = geometry;
        this.config = config;
        this.account = account;
        this.policy = config.policy();
    }

    void run(int target) {
        // which table entries are protected (the recent window, pinned tokens), looked up once per pass rather
        // than once per head slot
        int recentFrom = region.table.size() - config.recentWindow();
        boolean[] protectedRef = new boolean[region.table.size()];
        for (int ref = 0; ref < protectedRef.length; ref++) {
            protectedRef[ref] = ref >= recentFrom || region.table.get(ref).pinned();
        }
        long pass = account.compressions;
        int layers = geometry.layers();
        int threads = Math.max(1, Math.min(config.compressionThreads(), layers));
        long[] evicted = new long[layers];
        AtomicInteger nextLayer = new AtomicInteger();
        if (threads == 1) {
            compressLayers(0, nextLayer, target, protectedRef, pass, evicted);
        } else {
            // Layers are independent, and a pass is mostly moving page bytes, which one core cannot do at the
            // memory's full speed. Workers take the next layer not yet taken, so a worker that starts late (a pool
            // thread waking up) or runs slow (a core shared with something else) is not waited for: the others
            // take its share. The calling thread is worker 0 and starts at once.
            List<ForkJoinTask<?>> others = new ArrayList<>(threads - 1);
            for (int w = 1; w < threads; w++) {
                int worker = w;
                others.add(ForkJoinPool.commonPool().submit(
                        () -> compressLayers(worker, nextLayer, target, protectedRef, pass, evicted)));
            }
            try {
                compressLayers(0, nextLayer, target, protectedRef, pass, evicted);
            } finally {
                for (ForkJoinTask<?> task : others) {
                    task.join();
                }
            }
        }
        long total = 0;
        for (long e : evicted) {
            total += e;
        }
        region.slotsRemoved(total);
        account.evictedSlots += total;
        account.droppedTokens += region.dropUnreferencedTokens();
        account.compressions++;
    }

    /**
     * Compresses layers as long as some are left to take, counting each layer's evicted slots. A layer's result
     * does not depend on which worker compresses it.
     */
    private void compressLayers(int worker, AtomicInteger nextLayer, int target, boolean[] protectedRef, long pass,
                                long[] evicted) {
        SessionAccount.ViewBuffers buffers = account.viewBuffers(worker);
        for (int layer = nextLayer.getAndIncrement(); layer < geometry.layers(); layer = nextLayer.getAndIncrement()) {
            evicted[layer] = compressLayer(layer, target, protectedRef, pass, buffers);
        }
    }

    private long compressLayer(int layer, int target, boolean[] protectedRef, long pass,
                               SessionAccount.ViewBuffers buffers) {
        int layerTarget = Math.max(0, policy.layerTarget(layer, geometry.layers(), target));
        int heads = geometry.kvHeads();
        View[] views = new View[heads];
        int[] keep = new int[heads];
        boolean[][] kept = new boolean[heads][];
        for (int h = 0; h < heads; h++) {
            HeadMemory hm = region.heads[layer][h];
            boolean[] prot = new boolean[hm.size];
            int protectedCount = 0;
            for (int i = 0; i < hm.size; i++) {
                prot[i] = protectedRef[hm.refs[i]];
                if (prot[i]) {
                    protectedCount++;
                }
            }
            keep[h] = Math.max(0, Math.min(hm.size - protectedCount, layerTarget - protectedCount));
            kept[h] = prot.clone();
            long seed = config.seed() * 0x9E3779B97F4A7C15L + pass * 1_000_003L + layer * 1009L + h;
            views[h] = new View(region, hm, layer, h, geometry.headDim(), prot, keep[h], seed, buffers);
        }
        if (allKept(views, keep)) {
            return 0;
        }
        LayerView lv = new LayerView() {
            @Override
            public int layer() {
                return layer;
            }

            @Override
            public int layers() {
                return geometry.layers();
            }

            @Override
            public int heads() {
                return heads;
            }

            @Override
            public HeadView head(int h) {
                return views[h];
            }
        };
        policy.select(lv, keep, kept);
        policy.reclaim(lv, kept);
        long evicted = 0;
        for (int h = 0; h < heads; h++) {
            View view = views[h];
            for (View.Replacement r : view.replacements) {
                kept[h][r.slot()] = true;
            }
            for (int i = 0; i < view.size(); i++) {
                kept[h][i] |= view.prot[i];
            }
            HeadMemory hm = region.heads[layer][h];
            int[] newSlot = new int[hm.size];
            int next = 0;
            for (int i = 0; i < hm.size; i++) {
                newSlot[i] = kept[h][i] ? next++ : -1;
            }
            evicted += hm.compact(kept[h]);
            for (View.Replacement r : view.replacements) {
                hm.overwrite(newSlot[r.slot()], r.key(), r.value(), r.mergedSize());
            }
        }
        return evicted;
    }

    /** Nothing to evict in this layer: every head keeps all its candidates. */
    private static boolean allKept(View[] views, int[] keep) {
        for (int h = 0; h < views.length; h++) {
            int candidates = 0;
            for (boolean p : views[h].prot) {
                if (!p) {
                    candidates++;
                }
            }
            if (keep[h] < candidates) {
                return false;
            }
        }
        return true;
    }

    /** A head as the policy sees it; keys and values are decoded on first use. */
    static final class View implements HeadView {
        record Replacement(int slot, float[] key, float[] value, int mergedSize) {
        }

        private final Region region;
        private final HeadMemory hm;
        final int layer;
        private final int head;
        private final int dim;
        final boolean[] prot;
        private final int targetKeep;
        private final long seed;
        private final SessionAccount.ViewBuffers buffers;
        private float[] keys;
        private float[] values;
        final List<Replacement> replacements = new ArrayList<>();

        View(Region region, HeadMemory hm, int layer, int head, int dim, boolean[] prot, int targetKeep, long seed,
             SessionAccount.ViewBuffers buffers) {
            this.region = region;
            this.hm = hm;
            this.layer = layer;
            this.head = head;
            this.dim = dim;
            this.prot = prot;
            this.targetKeep = targetKeep;
            this.seed = seed;
            this.buffers = buffers;
        }

        @Override
        public int layer() {
            return layer;
        }

        @Override
        public int head() {
            return head;
        }

        @Override
        public int headDim() {
            return dim;
        }

        @Override
        public int size() {
            return hm.size;
        }

        @Override
        public TokenInfo token(int slot) {
            return region.table.get(hm.refs[slot]);
        }

        @Override
        public int mergedSize(int slot) {
            return hm.merged[slot];
        }

        @Override
        public boolean isProtected(int slot) {
            return prot[slot];
        }

        @Override
        public int targetKeep() {
            return targetKeep;
        }

        @Override
        public float[] keys() {
            if (keys == null) {
                if (hm.decodesHalves()) {
                    // keys alone: scorers such as KNorm never look at the values
                    keys = buffers.keys(head, hm.size * dim);
                    hm.readAll(keys, null, 0);
                } else {
                    decodeBoth();
                }
            }
            return keys;
        }

        @Override
        public float[] values() {
            if (values == null) {
                if (hm.decodesHalves()) {
                    values = buffers.values(head, hm.size * dim);
                    hm.readAll(null, values, 0);
                } else {
                    decodeBoth();
                }
            }
            return values;
        }

        private void decodeBoth() {
            keys = buffers.keys(head, hm.size * dim);
            values = buffers.values(head, hm.size * dim);
            hm.readAll(keys, values, 0);
        }

        @Override
        public void read(int slot, float[] key, float[] value) {
            if (keys != null && values != null) {
                HeadView.super.read(slot, key, value);
            } else {
                hm.readSlot(slot, key, value);
            }
        }

        @Override
        public void readRows(int from, int n, float[] rows) {
            if (hm.decodesHalves()) {
                hm.readRows(from, n, rows);
            } else {
                HeadView.super.readRows(from, n, rows);
            }
        }

        @Override
        public float[] keyNorms() {
            return hm.tracksNorms() ? hm.keyNorm : HeadView.super.keyNorms();
        }

        @Override
        public float[] valueNorms() {
            return hm.tracksNorms() ? hm.valueNorm : HeadView.super.valueNorms();
        }

        @Override
        public float[] accumulatedAttention() {
            return hm.accumulated;
        }

        @Override
        public float[] lastAttention() {
            return hm.last;
        }

        @Override
        public float[] windowAttention() {
            return hm.window;
        }

        @Override
        public long seed() {
            return seed;
        }

        @Override
        public void replace(int slot, float[] key, float[] value, int mergedSize) {
            if (key.length != dim || value.length != dim) {
                throw new IllegalArgumentException("a prototype needs " + dim + " floats of key and of value");
            }
            if (mergedSize < 1) {
                throw new IllegalArgumentException("mergedSize must be >= 1, got " + mergedSize);
            }
            replacements.add(new Replacement(slot, key.clone(), value.clone(), mergedSize));
        }
    }
}
