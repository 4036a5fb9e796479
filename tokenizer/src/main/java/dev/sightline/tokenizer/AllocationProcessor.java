package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stage 4, where audio and video of a stream meet: a windowed join on the stream's own timeline (pts). Both
 * sources are keyed by stream id and co-partitioned, so one task sees a stream's frames and audio.
 *
 * <p>Audio chunks are pruned at once and counted into their windows ({@value #TIMELINE_STORE}). A frame waits in
 * {@value #PENDING_STORE} until audio has covered its whole window, then keeps the budget that window's salience
 * sets. If the window's audio is missing (a gap, or audio stopped), the frame goes out with the declared fallback
 * salience once the video has run {@code graceMicros} past the window's end, or after {@code maxAudioWait} of wall
 * time, or at once when ingest reports the stream ended; a stream that had audio before also gets one error record
 * per missing window. Frames of a stream always leave in arrival order, before the audio chunk that released them.
 */
final class AllocationProcessor implements Processor<String, Object, String, Object> {
    static final String PENDING_STORE = "tokenizer-pending-frames";
    static final String TIMELINE_STORE = "tokenizer-audio-timeline";

    private final TokenizerConfig config;
    private final TokenizerMetrics metrics;
    private ProcessorContext<String, Object> ctx;
    private KeyValueStore<String, PendingFrame> pending;
    private KeyValueStore<String, AudioTimeline> timelines;
    private StageMeter videoMeter;
    private StageMeter audioMeter;

    AllocationProcessor(TokenizerConfig config, TokenizerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        ctx = context;
        pending = context.getStateStore(PENDING_STORE);
        timelines = context.getStateStore(TIMELINE_STORE);
        videoMeter = new StageMeter(context, "video-allocation", metrics.videoAllocation);
        audioMeter = new StageMeter(context, "audio-pruning", metrics.audioPruning);
        long every = Math.max(100, Math.min(1000, config.maxAudioWait().toMillis() / 2));
        context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::releaseExpired);
    }

    @Override
    public void process(Record<String, Object> record) {
        switch (record.value()) {
            case TokenBatch video -> onVideo(video, record.timestamp());
            case EncodedAudio audio -> onAudio(audio, record.timestamp());
            case StreamEnded ended -> onEnded(ended.streamId());
            default -> throw new IllegalStateException("unexpected value " + record.value().getClass());
        }
    }

    private void onVideo(TokenBatch video, long timestamp) {
        AudioGuidedAllocation.Config cfg = config.settingsFor(video.streamId()).allocation();
        if (!cfg.enabled()) {
            videoMeter.record(video.tokens().size(), video.tokens().size());
            emitVideo(video, timestamp);
            return;
        }
        String stream = video.streamId();
        AudioTimeline tl = timeline(stream);
        pending.put(pendingKey(stream, tl.nextPending++), new PendingFrame(ctx.currentSystemTimeMs(), timestamp, video));
        release(stream, tl, cfg, video.ptsStartMicros());
        timelines.put(stream, tl);
    }

    private void onAudio(EncodedAudio audio, long timestamp) {
        TokenBatch in = audio.batch();
        String stream = in.streamId();
        AudioGuidedAllocation.Config cfg = config.settingsFor(stream).allocation();
        AudioGuidedAllocation.AudioResult r = AudioGuidedAllocation.pruneAudio(cfg, in.tokens(), audio.salience());
        audioMeter.record(in.tokens().size(), r.tokens().size());
        if (cfg.enabled()) {
            AudioTimeline tl = timeline(stream);
            for (int i = 0; i < in.tokens().size(); i++) {
                tl.count(cfg.windowOf(in.tokens().get(i).ptsMicros()), r.keptFlags()[i]);
            }
            tl.coveredUntilMicros = Math.max(tl.coveredUntilMicros, in.ptsEndMicros());
            release(stream, tl, cfg, Long.MIN_VALUE);
            timelines.put(stream, tl);
        }
        TokenBatch out = new TokenBatch(stream, in.sequence(), in.ptsStartMicros(), in.ptsEndMicros(), in.modality(),
                0, 0, in.sourceTokens(), in.dim(), r.tokens());
        ctx.forward(new Record<String, Object>(stream, out, timestamp), TokenizerTopology.TOKENS_SINK);
    }

    /** No more audio will come: release every waiting frame now, then forget the stream. */
    private void onEnded(String stream) {
        AudioTimeline tl = timeline(stream);
        release(stream, tl, config.settingsFor(stream).allocation(), Long.MAX_VALUE);
        timelines.delete(stream);
    }

    /** Wall-clock punctuation: frames whose audio is overdue go out with the fallback. */
    private void releaseExpired(long now) {
        Set<String> streams = new LinkedHashSet<>();
        try (KeyValueIterator<String, PendingFrame> it = pending.all()) {
            while (it.hasNext()) {
                streams.add(it.next().value.batch().streamId());
            }
        }
        for (String stream : streams) {
            AudioTimeline tl = timeline(stream);
            release(stream, tl, config.settingsFor(stream).allocation(), Long.MIN_VALUE);
            timelines.put(stream, tl);
        }
    }

    /** Releases the stream's waiting frames, oldest first, while each one's window is settled. */
    private void release(String stream, AudioTimeline tl, AudioGuidedAllocation.Config cfg, long latestVideoPts) {
        long now = ctx.currentSystemTimeMs();
        List<KeyValue<String, PendingFrame>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, PendingFrame> it = pending.prefixScan(pendingPrefix(stream), new StringSerializer())) {
            while (it.hasNext()) {
                waiting.add(it.next());
            }
        }
        for (KeyValue<String, PendingFrame> kv : waiting) {
            TokenBatch video = kv.value.batch();
            long window = cfg.windowOf(video.ptsStartMicros());
            long windowEnd = (window + 1) * cfg.windowMicros();
            double salience;
            boolean ended = latestVideoPts == Long.MAX_VALUE;
            if ((tl.coveredUntilMicros >= windowEnd || ended) && !Double.isNaN(tl.salience(window))) {
                salience = tl.salience(window);
            } else if (tl.coveredUntilMicros >= windowEnd
                    || ended
                    || (latestVideoPts != Long.MIN_VALUE && latestVideoPts >= windowEnd + cfg.graceMicros())
                    || now - kv.value.arrivedMillis() >= config.maxAudioWait().toMillis()) {
                salience = cfg.fallbackSalience();
                if (ended) {
                    metrics.fallbackFrames.increment(); // the stream's end, not a gap: nothing to report
                } else {
                    missing(stream, tl, window, windowEnd, cfg);
                }
            } else {
                break; // this frame's window is still open; later frames wait behind it to keep order
            }
            int before = video.tokens().size();
            List<Token> kept = AudioGuidedAllocation.allocateVideo(cfg, video.tokens(), salience,
                    video.gridRows() * video.gridCols());
            videoMeter.record(before, kept.size());
            pending.delete(kv.key);
            emitVideo(new TokenBatch(stream, video.sequence(), video.ptsStartMicros(), video.ptsEndMicros(),
                    video.modality(), video.gridRows(), video.gridCols(), video.sourceTokens(), video.dim(), kept),
                    kv.value.recordTimestamp());
        }
    }

    private void missing(String stream, AudioTimeline tl, long window, long windowEnd,
                         AudioGuidedAllocation.Config cfg) {
        metrics.fallbackFrames.increment();
        if (tl.hadAudio() && tl.lastMissingReported != window) {
            tl.lastMissingReported = window;
            ErrorReporter.reportMissing(ctx, metrics, config.topics().audio(), stream, "audio missing for window ["
                    + (windowEnd - cfg.windowMicros()) + ", " + windowEnd + ") us of stream '" + stream
                    + "'; its frames keep the fallback allocation (salience " + cfg.fallbackSalience() + ")");
        }
    }

    private void emitVideo(TokenBatch video, long timestamp) {
        metrics.framesOut.increment();
        ctx.forward(new Record<String, Object>(video.streamId(), video, timestamp), TokenizerTopology.TOKENS_SINK);
    }

    private AudioTimeline timeline(String stream) {
        AudioTimeline tl = timelines.get(stream);
        return tl == null ? new AudioTimeline() : tl;
    }

    // The stream id's length leads the key, so one stream's prefix never matches another stream's keys.
    static String pendingPrefix(String stream) {
        return stream.length() + ":" + stream + "/";
    }

    static String pendingKey(String stream, long n) {
        return pendingPrefix(stream) + String.format("%019d", n);
    }
}
