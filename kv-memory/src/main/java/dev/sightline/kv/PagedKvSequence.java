package dev.sightline.kv;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's KV memory under a fixed byte budget: keys and values in off-heap pages from a {@link KvPool}, per
 * layer and per KV head, compressed between blocks by a {@link CompressionPolicy} when the memory reaches its high
 * watermark.
 *
 * <p><b>Positions.</b> Keys are stored <em>after</em> RoPE, rotated at their original positions. Evicting tokens
 * leaves gaps in the positions; nothing is ever re-indexed or re-rotated, and new tokens continue from
 * {@link #nextPosition()}. (A pre-RoPE mode with contiguous re-indexing would be a different store; the two are never
 * mixed.)
 *
 * <p><b>Budget.</b> Every page (keys, values, quantization scales, slack) and a fixed count of bytes per token
 * description and per head slot are charged to the session's budget. An allocation that would pass it is refused
 * with {@link KvBudgetExceededException} before anything changes: {@link #beginBlock} first compresses early if the
 * block would not fit, and refuses the block if it still would not (always, under a policy that never evicts).
 *
 * <p><b>Heads.</b> Compression selects per layer and per KV head, so heads keep different tokens and different
 * numbers of them; evicted slots are compacted away and their pages returned to the pool. Kept tokens stay in their
 * original order. {@link #size()} is the longest head.
 *
 * <p><b>Questions.</b> {@link #overlay()} gives a temporary sequence on top of the memory, dropped when closed:
 * answering never changes the memory. {@link #turn()} is the same, except that on close its tokens move into a
 * bounded dialogue region that later overlays and turns see (multi-turn chat); the memory's own blocks never attend
 * to the dialogue and compression never touches it.
 *
 * <p>Not thread-safe: one session is driven by one thread at a time.
 */
public final class PagedKvSequence implements KvSequence {

    private final KvGeometry geometry;
    private final KvMemoryConfig config;
    private final CompressionPolicy policy;
    private final SessionAccount account;
    private final PagedKvSequence parent;       // null for the session's memory
    private final Region region;                // tokens this sequence stored
    private final Region dialogue;              // memory only: multi-turn dialogue region, else null
    private final List<Region> visible;         // regions this sequence's blocks attend over, own last
    private final boolean turn;                 // an overlay whose tokens join the dialogue on close
    private final int highWatermark;            // tokens per head
    private final int lowWatermark;
    private long nextPosition;
    private long lastPosition = -1;             // the largest token position stored (order check)
    private int openOverlays;
    private boolean closed;

    // the block in progress
    private List<TokenInfo> block;
    private int blockTableStart;
    private int[] blockMerged;
    private int layersStored;
    private boolean windowReset;                // overlays reset the memory's window statistics once

    private PagedKvSequence(KvPool pool, KvGeometry geometry, KvMemoryConfig config) {
        this.geometry = geometry;
        this.config = config;
        this.policy = config.policy();
        // validate the format against the geometry before reserving anything
        PageCodec.of(config.format(), geometry.headDim());
        pool.reserve(config.budgetBytes());
        this.account = new SessionAccount(pool, config.budgetBytes());
        this.parent = null;
        this.region = new Region(geometry, config.format(), account, policy.needsAttentionStats(),
                policy.needsTokenNorms());
        this.dialogue = new Region(geometry, PageFormat.F16, account, false, false);
        this.visible = List.of(region);
        this.turn = false;
        int[] marks = resolveWatermarks();
        this.highWatermark = marks[0];
        this.lowWatermark = marks[1];
    }

    private PagedKvSequence(PagedKvSequence parent, boolean turn) {
        this.geometry = parent.geometry;
        this.config = parent.config;
        this.policy = parent.policy;
        this.account = parent.account;
        this.parent = parent;
        this.region = new Region(geometry, PageFormat.F16, account, false, false);
        this.dialogue = null;
        List<Region> v = new ArrayList<>(parent.visible);
        if (parent.dialogue != null) {
            v.add(parent.dialogue);
        }
        v.add(region);
        this.visible = List.copyOf(v);
        this.turn = turn;
        this.highWatermark = parent.highWatermark;
        this.lowWatermark = parent.lowWatermark;
        this.nextPosition = parent.nextPosition;
        this.lastPosition = parent.lastPosition;
    }

    /**
     * Opens a session's memory: reserves its whole budget in the pool (refused with
     * {@link KvBudgetExceededException} when the pool cannot admit it) and takes pages as tokens arrive.
     */
    public static PagedKvSequence open(KvPool pool, KvGeometry geometry, KvMemoryConfig config) {
        return new PagedKvSequence(pool, geometry, config);
    }

    public KvMemoryConfig config() {
        return config;
    }

    /** The compression trigger in tokens per head, after converting byte watermarks. */
    public int highWatermarkTokens() {
        return highWatermark;
    }

    /** The compression target in tokens per head. */
    public int lowWatermarkTokens() {
        return lowWatermark;
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public int size() {
        int n = region.maxSize();
        if (parent != null) {
            n += parent.size() + (parent.dialogue != null ? parent.dialogue.table.size() : 0);
        }
        return n;
    }

    @Override
    public long nextPosition() {
        return nextPosition;
    }

    /** The tokens this sequence itself holds (for the memory: in at least one head), in order. */
    public List<TokenInfo> tokens() {
        List<TokenInfo> all = new ArrayList<>(region.table.size());
        for (int i = 0; i < region.table.size(); i++) {
            all.add(region.table.get(i));
        }
        return all;
    }

    /** The tokens head {@code kvHead} of {@code layer} holds, in order. */
    public List<TokenInfo> tokens(int layer, int kvHead) {
        HeadMemory h = head(layer, kvHead);
        List<TokenInfo> out = new ArrayList<>(h.size);
        for (int i = 0; i < h.size; i++) {
            out.add(region.table.get(h.refs[i]));
        }
        return out;
    }

    /** How many original tokens each slot of head {@code kvHead} of {@code layer} stands for (after merging). */
    public int[] headMergedSizes(int layer, int kvHead) {
        HeadMemory h = head(layer, kvHead);
        return java.util.Arrays.copyOf(h.merged, h.size);
    }

    /** How many tokens head {@code kvHead} of {@code layer} holds. */
    public int headSize(int layer, int kvHead) {
        return head(layer, kvHead).size;
    }

    /**
     * The keys and values head {@code kvHead} of {@code layer} holds, dequantized, {@code [2][size*headDim]}: what
     * the attention kernels read.
     */
    public float[][] headKeysValues(int layer, int kvHead) {
        HeadMemory h = head(layer, kvHead);
        float[] k = new float[h.size * geometry.headDim()];
        float[] v = new float[h.size * geometry.headDim()];
        h.readAll(k, v, 0);
        return new float[][] {k, v};
    }

    private HeadMemory head(int layer, int kvHead) {
        ensureOpen();
        if (layer < 0 || layer >= geometry.layers() || kvHead < 0 || kvHead >= geometry.kvHeads()) {
            throw new IllegalArgumentException("no head " + kvHead + " in layer " + layer + " of " + geometry);
        }
        return region.heads[layer][kvHead];
    }

    // ------------------------------------------------------------------------------------------------ blocks

    @Override
    public void beginBlock(List<TokenInfo> tokens) {
        ensureOpen();
        if (openOverlays > 0) {
            throw new IllegalStateException("cannot add tokens while an overlay is open on this sequence");
        }
        if (block != null) {
            throw new IllegalStateException("previous block was not ended");
        }
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("a block needs at least one token");
        }
        // positions never decrease (under M-RoPE, frame tokens share a temporal position, so equal is fine)
        long previous = lastPosition;
        for (int i = 0; i < tokens.size(); i++) {
            TokenInfo t = tokens.get(i);
            if (t == null) {
                throw new IllegalArgumentException("token " + i + " of the block is null");
            }
            if (t.position() < previous) {
                throw new IllegalArgumentException("token " + i + " of the block has position " + t.position()
                        + ", going backwards after position " + previous + " (positions must not decrease)");
            }
            previous = t.position();
        }
        int n = tokens.size();
        long need = region.bytesToAdd(n);
        if (need > account.budgetBytes - account.usedBytes() && isMemory() && policy.evicts()) {
            // compress early: to the low watermark, and further while the block still would not fit
            int target = Math.min(lowWatermark, (int) Math.floor(region.meanSize()));
            while (true) {
                double before = region.meanSize();
                compressTo(target);
                need = region.bytesToAdd(n);
                if (need <= account.budgetBytes - account.usedBytes() || target == 0
                        || region.meanSize() >= before && target < before) {
                    break;   // fits, or nothing more can go (protected tokens)
                }
                target = Math.max(0, Math.min(target, (int) Math.floor(region.meanSize())) - n);
            }
        }
        long available = account.budgetBytes - account.usedBytes();
        if (need > available) {
            account.refusals++;
            throw new KvBudgetExceededException("KV session budget of " + account.budgetBytes + " bytes refuses a block of "
                    + n + " tokens" + (policy.evicts() && isMemory() ? " even after compressing" : "")
                    + " (policy " + policy.name() + ")", need, available);
        }
        block = List.copyOf(tokens);
        blockTableStart = region.table.size();
        blockMerged = new int[n];
        for (int i = 0; i < n; i++) {
            region.addToken(block.get(i));
            blockMerged[i] = block.get(i).mergedSize();
        }
        layersStored = 0;
    }

    @Override
    public void store(int layer, float[] keys, float[] values) {
        ensureInBlock();
        if (layer != layersStored) {
            throw new IllegalStateException("layers must be stored in order: expected layer " + layersStored
                    + ", got " + layer);
        }
        int n = block.size();
        int kvDim = geometry.kvDim();
        int dim = geometry.headDim();
        if (keys == null || values == null || keys.length != n * kvDim || values.length != n * kvDim) {
            throw new IllegalArgumentException("layer " + layer + ": keys and values need " + n + " x " + kvDim
                    + " floats, got " + (keys == null ? "null" : keys.length) + " and "
                    + (values == null ? "null" : values.length));
        }
        requireFinite(keys, "keys", layer);
        requireFinite(values, "values", layer);
        account.ensureGather(n * dim);
        float[] gk = account.gatherK;
        float[] gv = account.gatherV;
        for (int h = 0; h < geometry.kvHeads(); h++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(keys, i * kvDim + h * dim, gk, i * dim, dim);
                System.arraycopy(values, i * kvDim + h * dim, gv, i * dim, dim);
            }
            region.heads[layer][h].append(gk, gv, 0, n, blockTableStart, blockMerged, 0);
            region.slotsAdded(n);
        }
        layersStored++;
    }

    private static void requireFinite(float[] a, String what, int layer) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                throw new IllegalArgumentException("layer " + layer + ": " + what + "[" + i + "] is " + a[i]
                        + "; KV entries must be finite");
            }
        }
    }

    /** Where a decode step's F16 rows lie, refilled per KV head (attend's scratch). */
    private final F16Rows f16Rows = new F16Rows();

    @Override
    public void attend(int layer, float[] queries, float[] out) {
        ensureInBlock();
        if (layer != layersStored - 1) {
            throw new IllegalStateException("attend(" + layer + ") must follow store(" + layer + ")");
        }
        int n = block.size();
        int qDim = geometry.queryDim();
        if (queries == null || out == null || queries.length != n * qDim || out.length != n * qDim) {
            throw new IllegalArgumentException("layer " + layer + ": queries and out need " + n + " x " + qDim
                    + " floats, got " + (queries == null ? "null" : queries.length) + " and "
                    + (out == null ? "null" : out.length));
        }
        int dim = geometry.headDim();
        int group = geometry.groupSize();
        float scale = (float) (1.0 / Math.sqrt(dim));
        Region memory = visible.getFirst();
        boolean stats = memory.tracksStats();
        boolean isMemory = isMemory();
        for (int h = 0; h < geometry.kvHeads(); h++) {
            int total = 0;
            for (Region r : visible) {
                total += r.heads[layer][h].size;
            }
            account.ensureAttentionScratch(total, dim);
            float[] k = account.keys;
            float[] v = account.values;
            float[] bias = account.bias;
            // a decode step over F16 pages reads key|value rows as the pages hold them (no split into two arrays)
            boolean rows = n == 1;
            for (Region r : visible) {
                rows &= r.heads[layer][h].decodesHalves();
            }
            // ... or, by default, straight from the pages
            boolean inPlace = rows && DecodeAttentionSwitches.f16InPlace();
            if (inPlace) {
                f16Rows.clear();
            }
            int at = 0;
            for (Region r : visible) {
                HeadMemory hm = r.heads[layer][h];
                if (inPlace) {
                    hm.addRows(f16Rows);
                } else if (rows) {
                    hm.readAllRows(account.rows, at);
                } else {
                    hm.readAll(k, v, at);
                }
                for (int j = 0; j < hm.size; j++) {
                    int m = hm.merged[j];
                    bias[at + j] = m == 1 ? 0f : (float) Math.log(m);
                }
                at += hm.size;
            }
            int before = total - n;
            HeadMemory statsHead = stats ? memory.heads[layer][h] : null;
            int statsCount = stats ? statsHead.size : 0;
            if (stats) {
                if (isMemory) {
                    java.util.Arrays.fill(statsHead.last, 0, statsCount, 0f);
                    java.util.Arrays.fill(statsHead.window, 0, statsCount, 0f);
                } else if (!windowReset) {
                    java.util.Arrays.fill(statsHead.window, 0, statsCount, 0f);
                }
            }
            float share = 1f / group;
            if (n == 1) {
                // a decode step: one query per head, read against the decoded rows as they are (no transpose)
                float[][] probs = account.groupProbs(group, total);
                if (inPlace) {
                    F16DecodeAttention.attend(queries, h * group * dim, group, f16Rows, bias, dim, scale, probs, out);
                } else if (rows) {
                    DecodeAttention.attend(queries, h * group * dim, group, account.rows, 0, account.rows, dim,
                            2 * dim, bias, total, dim, scale, probs, out);
                } else {
                    DecodeAttention.attend(queries, h * group * dim, group, k, 0, v, 0, dim, bias, total, dim,
                            scale, probs, out);
                }
                for (int g = 0; stats && g < group; g++) {
                    recordStats(statsHead, probs[g], Math.min(total, statsCount), share, isMemory, true, true);
                }
                continue;
            }
            AttentionKernel.transpose(k, total, dim, account.keysT);
            int windowStart = Math.max(0, n - config.observationWindow());
            float[][] tile = account.tileProbs;
            for (int g = 0; g < group; g++) {
                int qh = h * group + g;
                for (int i = 0; i < n; i += AttentionKernel.TILE) {
                    // up to TILE consecutive queries share their key loads; each then sees its causal prefix
                    int count = Math.min(AttentionKernel.TILE, n - i);
                    int[] qo = new int[AttentionKernel.TILE];
                    for (int j = 0; j < AttentionKernel.TILE; j++) {
                        qo[j] = (i + Math.min(j, count - 1)) * qDim + qh * dim;
                    }
                    AttentionKernel.logits(queries, qo[0], qo[1], qo[2], qo[3], count, account.keysT, total, bias,
                            before + i + count, dim, scale, tile[0], tile[1], tile[2], tile[3]);
                    AttentionKernel.softmaxTileInto(tile, count, before + i + 1, v, dim, out, qo);
                    for (int j = 0; j < count; j++) {
                        int seen = before + i + j + 1;
                        if (stats) {
                            recordStats(statsHead, tile[j], Math.min(seen, statsCount), share, isMemory,
                                    i + j == n - 1, !isMemory || i + j >= windowStart);
                        }
                    }
                }
            }
        }
        if (stats && !isMemory && layer == geometry.layers() - 1) {
            windowReset = true;
        }
    }

    private static void recordStats(HeadMemory head, float[] p, int count, float share, boolean accumulate,
                                    boolean last, boolean window) {
        if (accumulate) {
            AttentionKernel.axpy(share, p, 0, head.accumulated, 0, count);
        }
        if (accumulate && last) {
            AttentionKernel.axpy(share, p, 0, head.last, 0, count);
        }
        if (window) {
            AttentionKernel.axpy(share, p, 0, head.window, 0, count);
        }
    }

    @Override
    public void endBlock() {
        ensureInBlock();
        if (layersStored != geometry.layers()) {
            throw new IllegalStateException("block ended after " + layersStored + " of " + geometry.layers()
                    + " layers");
        }
        for (HeadMemory[] layer : region.heads) {
            for (HeadMemory h : layer) {
                h.settle();
            }
        }
        for (TokenInfo t : block) {
            nextPosition = Math.max(nextPosition, t.maxRopeIndex() + 1);
            lastPosition = Math.max(lastPosition, t.position());
        }
        block = null;
        if (!isMemory()) {
            return;
        }
        account.blocks++;
        if (policy.evicts() && region.meanSize() >= highWatermark) {
            compressTo(lowWatermark);
        }
    }

    // ------------------------------------------------------------------------------------------------ compression

    /** Compresses the memory now down to its low watermark, whatever its size (no-op under a non-evicting policy). */
    public void compress() {
        compressTo(lowWatermark);
    }

    /** Compresses the memory now down to {@code tokensPerHead} tokens per head (protected tokens permitting). */
    public void compressTo(int tokensPerHead) {
        ensureOpen();
        if (!isMemory()) {
            throw new IllegalStateException("only the session's memory compresses, not an overlay");
        }
        if (block != null || openOverlays > 0) {
            throw new IllegalStateException("cannot compress in the middle of a block or while an overlay is open");
        }
        if (!policy.evicts()) {
            return;
        }
        long start = System.nanoTime();
        new Compressor(region, geometry, config, account).run(Math.max(0, tokensPerHead));
        account.compressionNanos += System.nanoTime() - start;
    }

    // ------------------------------------------------------------------------------------------------ overlays

    @Override
    public KvSequence overlay() {
        return openChild(false);
    }

    /**
     * An overlay for one turn of a multi-turn dialogue: like {@link #overlay()}, but when it is closed its tokens
     * move into the session's dialogue region (oldest dropped beyond {@link KvMemoryConfig#dialogueTokens()}), where
     * later overlays and turns see them. Only on the session's memory.
     */
    public PagedKvSequence turn() {
        if (!isMemory()) {
            throw new IllegalStateException("turns are opened on the session's memory, not on an overlay");
        }
        return openChild(true);
    }

    private PagedKvSequence openChild(boolean asTurn) {
        ensureOpen();
        if (block != null) {
            throw new IllegalStateException("cannot open an overlay in the middle of a block");
        }
        if (asTurn && openOverlays > 0) {
            throw new IllegalStateException("one turn at a time: close the open overlay first");
        }
        openOverlays++;
        return new PagedKvSequence(this, asTurn);
    }

    /** Tokens in the multi-turn dialogue region. */
    public int dialogueSize() {
        return dialogue == null ? 0 : dialogue.table.size();
    }

    private void joinDialogue(PagedKvSequence turnSeq) {
        if (block != null) {
            return;
        }
        Region from = turnSeq.region;
        int n = from.table.size();
        int max = config.dialogueTokens();
        // first drop the oldest dialogue tokens so the turn fits, then move the turn's newest tokens in
        int take = Math.min(n, max);
        int drop = Math.max(0, dialogue.table.size() + take - max);
        if (drop > 0) {
            boolean[] keep = new boolean[dialogue.table.size()];
            java.util.Arrays.fill(keep, drop, keep.length, true);
            for (HeadMemory[] layer : dialogue.heads) {
                for (HeadMemory h : layer) {
                    dialogue.slotsRemoved(h.compact(keep));
                }
            }
            dialogue.dropUnreferencedTokens();
        }
        if (take == 0) {
            return;
        }
        int dim = geometry.headDim();
        int skip = n - take;
        int tableStart = dialogue.table.size();
        for (int i = skip; i < n; i++) {
            dialogue.addToken(from.table.get(i));
        }
        int[] mergedSizes = new int[take];
        float[] k = new float[n * dim];
        float[] v = new float[n * dim];
        // pages for the turn's tokens are released first, so the move needs no more than the turn held
        float[][][][] copied = new float[geometry.layers()][geometry.kvHeads()][][];
        for (int l = 0; l < geometry.layers(); l++) {
            for (int h = 0; h < geometry.kvHeads(); h++) {
                HeadMemory src = from.heads[l][h];
                src.readAll(k, v, 0);
                copied[l][h] = new float[][] {
                    java.util.Arrays.copyOfRange(k, skip * dim, n * dim),
                    java.util.Arrays.copyOfRange(v, skip * dim, n * dim)};
                for (int i = 0; i < take; i++) {
                    mergedSizes[i] = src.merged[skip + i];
                }
            }
        }
        from.clear();
        for (int l = 0; l < geometry.layers(); l++) {
            for (int h = 0; h < geometry.kvHeads(); h++) {
                dialogue.heads[l][h].append(copied[l][h][0], copied[l][h][1], 0, take, tableStart, mergedSizes, 0);
                dialogue.slotsAdded(take);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ stats

    /** The session's memory figures now (for a turn or overlay: the whole session's). */
    public KvStats stats() {
        PagedKvSequence memory = memory();
        Region r = memory.region;
        int[][] perHead = new int[geometry.layers()][geometry.kvHeads()];
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int l = 0; l < geometry.layers(); l++) {
            for (int h = 0; h < geometry.kvHeads(); h++) {
                int s = r.heads[l][h].size;
                perHead[l][h] = s;
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        return new KvStats(account.budgetBytes, account.usedBytes(), account.pageBytesUsed(),
                account.metadataBytes(), account.peakBytes(), account.pagesHeld(), r.table.size(), r.meanSize(), min,
                max, perHead, memory.dialogueSize(), account.blocks, account.compressions, account.evictedSlots,
                account.droppedTokens, account.refusals, account.compressionNanos);
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * Writes the session's memory (configuration, token descriptions, every head's pages byte for byte, merged sizes,
     * attention statistics, dialogue region, counters) to {@code out} in a versioned format with a checksum.
     */
    public void writeSnapshot(OutputStream out) throws IOException {
        ensureOpen();
        if (!isMemory() || block != null || openOverlays > 0) {
            throw new IllegalStateException("snapshot the session's memory between blocks, with no overlay open");
        }
        SnapshotCodec.write(this, out);
    }

    /**
     * Restores a session written by {@link #writeSnapshot}, resolving its policy by name. The result is bit-exact:
     * same pages, metadata, statistics and counters. Throws {@link KvSnapshotException} for corrupted input (bad
     * magic, version, checksum or values) and {@link KvBudgetExceededException} when the pool cannot admit it.
     */
    public static PagedKvSequence restore(KvPool pool, InputStream in) throws IOException {
        return SnapshotCodec.read(pool, in, null);
    }

    /** Restores a session whose policy is not one {@link Policies#byName} knows. */
    public static PagedKvSequence restore(KvPool pool, InputStream in, CompressionPolicy policy) throws IOException {
        return SnapshotCodec.read(pool, in, policy);
    }

    static PagedKvSequence emptyFor(KvPool pool, KvGeometry geometry, KvMemoryConfig config) {
        return new PagedKvSequence(pool, geometry, config);
    }

    Region region() {
        return region;
    }

    Region dialogueRegion() {
        return dialogue;
    }

    SessionAccount account() {
        return account;
    }

    void restorePositions(long next, long last) {
        this.nextPosition = next;
        this.lastPosition = last;
    }

    long lastPosition() {
        return lastPosition;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (block != null) {
            // an abandoned block: its tokens never became part of the sequence
            block = null;
        }
        closed = true;
        if (parent == null) {
            region.clear();
            dialogue.clear();
            account.pool.unreserve(account.budgetBytes);
        } else {
            if (turn && !parent.closed) {
                parent.joinDialogue(this);
            }
            region.clear();
            parent.openOverlays--;
        }
    }

    private boolean isMemory() {
        return parent == null;
    }

    private PagedKvSequence memory() {
        PagedKvSequence s = this;
        while (s.parent != null) {
            s = s.parent;
        }
        return s;
    }

    private void ensureInBlock() {
        ensureOpen();
        if (block == null) {
            throw new IllegalStateException("no block in progress: call beginBlock first");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("KV sequence is closed");
        }
        if (parent != null && parent.closed) {
            throw new IllegalStateException("the memory under this overlay is closed");
        }
    }

    // ------------------------------------------------------------------------------------------------ watermarks

    private int[] resolveWatermarks() {
        int high;
        int low;
        if (config.highWatermark() == 0) {
            high = tokensFitting((long) (config.budgetBytes() * 0.85));
            low = config.lowWatermark() == 0 ? high * 3 / 4 : toTokens(config.lowWatermark());
        } else {
            high = toTokens(config.highWatermark());
            low = config.lowWatermark() == 0 ? high * 3 / 4 : toTokens(config.lowWatermark());
        }
        if (policy.evicts() && estimateBytes(high) > config.budgetBytes()) {
            account.pool.unreserve(config.budgetBytes());
            throw new IllegalArgumentException("high watermark of " + high + " tokens per head needs about "
                    + estimateBytes(high) + " bytes in " + config.format() + ", more than the budget of "
                    + config.budgetBytes() + " bytes");
        }
        if (high < 1 || low >= high) {
            account.pool.unreserve(config.budgetBytes());
            throw new IllegalArgumentException("budget of " + config.budgetBytes() + " bytes gives watermarks high="
                    + high + " low=" + low + " tokens per head; need 0 <= low < high");
        }
        return new int[] {high, low};
    }

    private int toTokens(long watermark) {
        return config.watermarksInBytes() ? tokensFitting(watermark) : (int) Math.min(Integer.MAX_VALUE, watermark);
    }

    /** The most tokens per head whose estimated bytes fit {@code bytes}. */
    private int tokensFitting(long bytes) {
        int lo = 0;
        int hi = 1;
        while (estimateBytes(hi) <= bytes && hi < (1 << 30)) {
            hi *= 2;
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (estimateBytes(mid) <= bytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Bytes a memory of {@code tokens} tokens in every head takes in this session's format. */
    long estimateBytes(int tokens) {
        HeadMemory probe = region.heads[0][0];
        int r = Math.min(tokens, config.format().residualTokens() + PageFormat.KIVI_GROUP - 1);
        if (config.format().residualTokens() == 0) {
            r = 0;
        }
        long pagesPerHead = probe.main.pagesFor(tokens - r) + (probe.residual == null ? 0 : probe.residual.pagesFor(r));
        long heads = (long) geometry.layers() * geometry.kvHeads();
        return heads * pagesPerHead * account.pageBytes() + (long) tokens * Region.TOKEN_BYTES
                + heads * tokens * region.slotBytes;
    }
}
