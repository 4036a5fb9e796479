package dev.sightline.tokenizer;

import dev.sightline.protocol.SightlineSerdes;
import dev.sightline.protocol.VideoFrame;
import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per frame: decode, stage 1 (pixel gate), the vision tower on the cells that passed, stage 2 (temporal drop),
 * stage 3 (spatial merge); the frame's tokens go on to the allocation processor. The stream's references live in
 * the {@value #STORE} store and its per-patch tower outputs in {@value PatchMemory#STORE}, deleted when the stream
 * ends. A bad frame becomes an error record and the stream goes on
 * with the next one.
 */
final class FrameStagesProcessor implements Processor<String, Object, String, Object> {
    static final String STORE = "tokenizer-vision-state";

    private final TokenizerConfig config;
    private final FrameEncoder encoder;
    private final TokenizerMetrics metrics;
    private final Deserializer<VideoFrame> frames = SightlineSerdes.videoFrame().deserializer();
    private ProcessorContext<String, Object> ctx;
    private KeyValueStore<String, VisionState> store;
    private KeyValueStore<String, PatchMemory> patchStore;
    private Sensor patchesEncoded;
    private Sensor patchesSkipped;
    private Sensor flopsSaved;
    private StageMeter gateMeter;
    private StageMeter temporalMeter;
    private StageMeter spatialMeter;
    /** The tower's latest time for a whole frame: what a frame it did not have to see saved. */
    private long lastFullFrameNanos;

    FrameStagesProcessor(TokenizerConfig config, FrameEncoder encoder, TokenizerMetrics metrics) {
        this.config = config;
        this.encoder = encoder;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        ctx = context;
        store = context.getStateStore(STORE);
        patchStore = context.getStateStore(PatchMemory.STORE);
        patchesEncoded = StageMeter.sensor(context, "pixel-gate", "patches-encoded-total",
                "tower patches encoded");
        patchesSkipped = StageMeter.sensor(context, "pixel-gate", "patches-skipped-total",
                "tower patches the pixel gate kept from the tower");
        flopsSaved = StageMeter.sensor(context, "pixel-gate", "encoder-flops-saved-total",
                "estimated tower FLOPs the pixel gate saved");
        gateMeter = new StageMeter(context, "pixel-gate", metrics.pixelGate);
        temporalMeter = new StageMeter(context, "temporal-drop", metrics.temporalDrop);
        spatialMeter = new StageMeter(context, "spatial-merge", metrics.spatialMerge);
    }

    @Override
    public void process(Record<String, Object> record) {
        switch (record.value()) {
            case StreamEnded ended -> {
                store.delete(ended.streamId());
                for (int c = 0; c < encoder.cellCount(); c++) {
                    patchStore.delete(PatchMemory.key(ended.streamId(), c));
                }
                ctx.forward(record, TokenizerTopology.ALLOCATION);
            }
            case byte[] bytes -> processFrame(record.withValue(bytes));
            case null -> processFrame(record.withValue((byte[]) null));
            default -> throw new IllegalStateException("unexpected value " + record.value().getClass());
        }
    }

    private void processFrame(Record<String, byte[]> record) {
        metrics.framesIn.increment();
        VideoFrame frame = decodeRecord(record);
        if (frame == null) {
            return;
        }
        RgbImage image;
        try {
            image = FrameDecoder.decode(frame, encoder.inputSize());
        } catch (BadInputException e) {
            ErrorReporter.report(ctx, metrics, config.topics().frames(), frame.streamId(), e.getMessage());
            return;
        }
        StageSettings s = config.settingsFor(frame.streamId());
        int rows = encoder.gridRows();
        int cols = encoder.gridCols();
        int cells = rows * cols;
        VisionState state = store.get(frame.streamId());
        if (state == null || !state.matches(rows, cols, encoder.dim(), s.gate().samplesPerCell())) {
            state = new VisionState(rows, cols, encoder.dim(), s.gate().samplesPerCell());
        }

        // Stage 1 and the tower: encode the cells that changed, reuse or drop the rest.
        List<Token> tokens = gateAndEncode(frame, image, s.gate(), state);
        if (tokens == null) {
            return;
        }
        gateMeter.record(cells, tokens.size());

        // Stage 2: drop what the model already saw at the same position.
        int before = tokens.size();
        tokens = TemporalDrop.apply(s.temporal(), tokens, state.framesSeen, state.lastKept, cols);
        temporalMeter.record(before, tokens.size());

        // Stage 3: merge look-alike tokens within the frame.
        before = tokens.size();
        tokens = SpatialMerge.apply(s.spatial(), tokens);
        spatialMeter.record(before, tokens.size());

        state.framesSeen++;
        store.put(frame.streamId(), state);
        TokenBatch batch = new TokenBatch(frame.streamId(), frame.sequence(), frame.ptsMicros(), frame.ptsMicros(),
                TokenModality.VIDEO, rows, cols, cells, encoder.dim(), tokens);
        ctx.forward(new Record<String, Object>(frame.streamId(), batch, record.timestamp()), TokenizerTopology.ALLOCATION);
    }

    /** The frame in the record, or null after reporting why there is none. */
    private VideoFrame decodeRecord(Record<String, byte[]> record) {
        String topic = config.topics().frames();
        VideoFrame frame;
        try {
            frame = frames.deserialize(topic, record.value());
        } catch (RuntimeException e) {
            ErrorReporter.report(ctx, metrics, topic, record.key(), e.getMessage());
            return null;
        }
        if (frame == null) {
            ErrorReporter.report(ctx, metrics, topic, record.key(), "empty frame record (tombstone) on the frames topic");
            return null;
        }
        if (record.key() != null && !record.key().equals(frame.streamId())) {
            ErrorReporter.report(ctx, metrics, topic, record.key(), "frame #" + frame.sequence() + " of stream '"
                    + frame.streamId() + "' arrived under key '" + record.key() + "'; frames must be keyed by stream id");
            return null;
        }
        return frame;
    }

    /**
     * Stage 1 and the vision tower: the frame's tokens, one per cell that was encoded or reused, in grid order; null
     * after reporting an encoder failure. Updates {@code state}'s gate reference and last encoded embeddings and the
     * patch memory of the cells encoded.
     *
     * <p>The gate decides per tower patch ({@code k x k} per cell). A cell with a changed patch is encoded: its
     * changed patches go through the tower, its other patches come from the patch memory. A cell with none is
     * reused or dropped.
     */
    private List<Token> gateAndEncode(VideoFrame frame, RgbImage image, PixelGate.Config gate, VisionState state) {
        int rows = encoder.gridRows();
        int cols = encoder.gridCols();
        int cells = rows * cols;
        int k = encoder.patchesPerCellSide();
        int patchCols = cols * k;
        int patchCount = cells * k * k;
        // the gate's thumbnail keeps its resolution per cell: samplesPerCell / k samples per patch side
        int samples = Math.max(1, gate.samplesPerCell() / k);
        boolean[] changed = new boolean[patchCount];
        float[] thumb = null;
        if (gate.enabled()) {
            thumb = PixelGate.thumbnail(image, rows * k, patchCols, samples);
            if (state.gateReference != null && state.gateReference.length != thumb.length) {
                state.gateReference = null; // a reference from another geometry: start afresh
            }
            changed = PixelGate.decide(gate, thumb, state.gateReference, rows * k, patchCols, samples).encode();
        } else {
            Arrays.fill(changed, true);
            state.gateReference = null; // re-enabling the gate later starts from a fresh reference
        }
        boolean reuse = gate.onStatic() == PixelGate.StaticCell.REUSE;
        boolean[] encodeCell = new boolean[cells];
        for (int p = 0; p < patchCount; p++) {
            if (changed[p]) {
                encodeCell[cellOf(p, patchCols, k, cols)] = true;
            }
        }
        int encoded = 0;
        for (int c = 0; c < cells; c++) {
            if (!encodeCell[c] && reuse && state.lastEncoded[c] == null) {
                encodeCell[c] = true; // nothing to reuse (state from an older geometry or a DROP period)
            }
            if (encodeCell[c]) {
                encoded++;
            }
        }
        // The patches the tower sees: the changed ones, and in a cell being encoded any with no remembered output.
        boolean[] encodePatch = changed;
        float[][] memory = null;
        if (k == 1) {
            encodePatch = encodeCell;
        } else {
            memory = new float[patchCount][];
            for (int c = 0; c < cells; c++) {
                if (encodeCell[c]) {
                    recall(frame.streamId(), c, memory, k, patchCols, cols);
                }
            }
            for (int p = 0; p < patchCount; p++) {
                if (encodeCell[cellOf(p, patchCols, k, cols)] && memory[p] == null) {
                    encodePatch[p] = true;
                }
            }
        }
        int patchesIn = 0;
        for (boolean b : encodePatch) {
            if (b) {
                patchesIn++;
            }
        }
        float[][] embeddings;
        if (encoded == 0) { // a frame with nothing new never reaches the tower
            metrics.cellsSkipped.add(cells);
            metrics.encoderNanosSaved.add(lastFullFrameNanos);
            embeddings = new float[cells][];
        } else {
            embeddings = runTower(frame, image, encodePatch, encodeCell, memory, encoded, patchesIn);
        }
        if (embeddings == null) {
            return null;
        }
        countPatches(patchCount, patchesIn);
        if (memory != null) {
            for (int c = 0; c < cells; c++) {
                if (encodeCell[c]) {
                    remember(frame.streamId(), c, memory, k, patchCols, cols);
                }
            }
        }
        if (thumb != null) {
            state.gateReference = PixelGate.refresh(state.gateReference, thumb, encodePatch, rows * k, patchCols,
                    samples);
        }
        List<Token> tokens = new ArrayList<>(cells);
        for (int c = 0; c < cells; c++) {
            float[] e;
            if (encodeCell[c]) {
                e = embeddings.length == cells ? embeddings[c] : null;
                if (e == null || e.length != encoder.dim()) {
                    ErrorReporter.report(ctx, metrics, config.topics().frames(), frame.streamId(), "frame #"
                            + frame.sequence() + ": vision encoder returned no embedding of dim " + encoder.dim()
                            + " for cell " + c);
                    return null;
                }
                state.lastEncoded[c] = e;
            } else {
                e = reuse ? state.lastEncoded[c] : null;
            }
            if (e != null) {
                tokens.add(new Token(e, c / cols, c % cols, frame.sequence(), frame.ptsMicros(), 1));
            }
        }
        return tokens;
    }

    /** The token cell of patch {@code p} of a {@code k}-per-cell-side patch grid {@code patchCols} wide. */
    private static int cellOf(int p, int patchCols, int k, int cols) {
        return (p / patchCols / k) * cols + (p % patchCols) / k;
    }

    /** Copies the remembered outputs of cell {@code c}'s patches into {@code memory}, when there are any. */
    private void recall(String streamId, int c, float[][] memory, int k, int patchCols, int cols) {
        PatchMemory m = patchStore.get(PatchMemory.key(streamId, c));
        if (m == null || m.patches.length != k * k) {
            return;
        }
        for (int i = 0; i < k * k; i++) {
            memory[((c / cols) * k + i / k) * patchCols + (c % cols) * k + i % k] = m.patches[i];
        }
    }

    /** Stores cell {@code c}'s patch outputs (all known once it was encoded). */
    private void remember(String streamId, int c, float[][] memory, int k, int patchCols, int cols) {
        float[][] patches = new float[k * k][];
        for (int i = 0; i < k * k; i++) {
            patches[i] = memory[((c / cols) * k + i / k) * patchCols + (c % cols) * k + i % k];
            if (patches[i] == null) {
                return; // the encoder did not fill it in: nothing consistent to remember
            }
        }
        patchStore.put(PatchMemory.key(streamId, c), new PatchMemory(patches, patches[0].length));
    }

    /** The encoder work of one frame in patches and estimated FLOPs, in the shared and the Kafka Streams metrics. */
    private void countPatches(int patchCount, int patchesIn) {
        long flops = patchesIn == 0 ? 0 : encoder.encoderFlops(patchesIn);
        long saved = encoder.encoderFlops(patchCount) - flops;
        metrics.patchesEncoded.add(patchesIn);
        metrics.patchesSkipped.add(patchCount - patchesIn);
        metrics.encoderFlops.add(flops);
        metrics.encoderFlopsSaved.add(saved);
        patchesEncoded.record(patchesIn);
        patchesSkipped.record(patchCount - patchesIn);
        flopsSaved.record(saved);
    }

    /** Runs the tower on the asked patches and counts its time and the time the gate saved; null after a failure. */
    private float[][] runTower(VideoFrame frame, RgbImage image, boolean[] patches, boolean[] cells, float[][] memory,
                               int encoded, int patchesIn) {
        int cellCount = cells.length;
        metrics.framesEncoded.increment();
        long t0 = System.nanoTime();
        float[][] embeddings;
        try {
            embeddings = encoder.encodePatches(image, patches, cells, memory);
        } catch (RuntimeException e) {
            ErrorReporter.report(ctx, metrics, config.topics().frames(), frame.streamId(),
                    "frame #" + frame.sequence() + ": vision encoder failed: " + e);
            return null;
        }
        long nanos = System.nanoTime() - t0;
        if (patchesIn == patches.length || !encoder.encodesSubsets()) {
            lastFullFrameNanos = nanos;
        }
        metrics.cellsEncoded.add(encoded);
        metrics.cellsSkipped.add(cellCount - encoded);
        metrics.encoderNanos.add(nanos);
        if (encoder.encodesSubsets() && patchesIn > 0 && patchesIn < patches.length) {
            // With a FLOPs estimate the tower's cost is not proportional (a call has fixed costs: preprocessing, the
            // connector), so the saving is measured against its last whole-frame time instead of extrapolated.
            metrics.encoderNanosSaved.add(encoder.encoderFlops(patchesIn) > 0 && lastFullFrameNanos > 0
                    ? Math.max(0, lastFullFrameNanos - nanos)
                    : nanos * (patches.length - patchesIn) / patchesIn);
        }
        return embeddings == null ? new float[0][] : embeddings;
    }
}
