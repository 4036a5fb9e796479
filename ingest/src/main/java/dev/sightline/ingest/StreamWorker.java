package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;
import dev.sightline.protocol.StreamEvent;
import dev.sightline.protocol.StreamState;
import dev.sightline.protocol.VideoFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one stream: a reader thread that opens the source, samples and shapes frames and cuts audio chunks, and
 * a sender thread that encodes them and hands them to Kafka, joined by a {@link PendingQueue}. The reader also
 * owns the stream's life: connecting, running, reconnecting with backoff, and ending or failing.
 *
 * <p>The stream's timeline: a file keeps its own timestamps. A live source's first timestamp of each connection
 * is mapped to where the stream stands, so after an outage the timeline goes on from the last timestamp plus
 * the wall-clock time the outage took (the gap is visible in the timestamps and reported as an event).
 */
final class StreamWorker implements IngestedStream {
    private static final Logger LOG = LoggerFactory.getLogger(StreamWorker.class);

    private final StreamSource source;
    private final KafkaSink sink;
    private final IngestListener listener;
    private final boolean live;
    private final PendingQueue queue;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Object sleeper = new Object();

    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong chunksSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private final AtomicLong chunksDropped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile long lastPtsMicros = -1;
    private volatile String lastError;

    private volatile StreamState state = StreamState.CONNECTING;
    private volatile boolean stopping;
    private volatile boolean stale;
    private volatile long lastDataNanos = System.nanoTime();
    private Thread sender;

    StreamWorker(StreamSource source, KafkaSink sink, IngestListener listener) {
        this.source = source;
        this.sink = sink;
        this.listener = listener;
        this.live = source.isLive();
        this.queue = new PendingQueue(source.queueCapacity(), live);
    }

    void start() {
        sender = Thread.ofPlatform().name("ingest-" + source.id() + "-send").daemon().unstarted(this::sendLoop);
        sender.start();
        Thread.ofPlatform().name("ingest-" + source.id() + "-read").daemon().start(this::run);
    }

    @Override
    public String id() {
        return source.id();
    }

    @Override
    public StreamSource source() {
        return source;
    }

    @Override
    public StreamState state() {
        return state;
    }

    @Override
    public StreamStats stats() {
        return new StreamStats(source.id(), state, framesSent.get(), chunksSent.get(), bytesSent.get(),
                framesDropped.get(), chunksDropped.get(), reconnects.get(), gaps.get(), sendFailures.get(),
                lastPtsMicros, lastError);
    }

    @Override
    public void stop() {
        stopping = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean terminated() {
        return done.getCount() == 0;
    }

    // ---- the reader: connection life and sampling ----

    private record Outcome(StreamState state, String message) {
    }

    private void run() {
        Outcome outcome;
        try {
            outcome = readSource();
        } catch (InterruptedException e) {
            outcome = new Outcome(StreamState.ENDED, "interrupted");
        } catch (Throwable t) {
            LOG.error("stream {}: ingest failed", source.id(), t);
            outcome = new Outcome(StreamState.FAILED, "internal error: " + t);
        } finally {
            queue.close();
        }
        try {
            sender.join();
            sink.flush(); // the terminal event's counters include every acknowledgement
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError = "flush failed: " + e;
        }
        if (outcome.state() == StreamState.FAILED) {
            lastError = outcome.message();
            sink.sendError(source.id(), "ingest", "stream " + source.id() + " failed: " + outcome.message());
        }
        transition(outcome.state(), outcome.message());
        sink.flush();
        done.countDown();
    }

    private Outcome readSource() throws InterruptedException {
        ReconnectPolicy policy = source.reconnect();
        FrameShaper shaper = new FrameShaper(source.width(), source.height(), source.fit());
        FrameSampler sampler = new FrameSampler(source.framesPerSecond());
        AudioChunker chunker = new AudioChunker(source.id(), StreamSource.AUDIO_SAMPLE_RATE,
                source.audioChunkSamples(), 0);
        long frameSequence = 0;
        int failures = 0;
        long timelineBase = 0;      // timeline position of this connection's first timestamp (live)
        long lastTimelinePts = -1;  // latest timeline position seen, video or audio
        long lastDataWallNanos = -1;
        transition(StreamState.CONNECTING, "opening " + source.url() + (live ? " (live)" : " (file)"));

        try (Java2DFrameConverter converter = new Java2DFrameConverter()) {
            while (!stopping) {
                boolean opened = false;
                boolean gotData = false;
                String lost = null;
                FFmpegFrameGrabber grabber = GrabberFactory.create(source, source.audio());
                IoInterrupter interrupter = null;
                boolean withAudio = source.audio();
                try {
                    try {
                        grabber.start();
                    } catch (FFmpegFrameGrabber.Exception e) {
                        if (!source.audio() || !String.valueOf(e.getMessage()).contains("audio")) {
                            throw e;
                        }
                        // an undecodable audio track must not cost us the video
                        release(grabber);
                        grabber = GrabberFactory.create(source, false);
                        withAudio = false;
                        grabber.start();
                        report("audio disabled for this connection: " + describe(e));
                    }
                    opened = true;
                    stale = false;
                    lastDataNanos = System.nanoTime();
                    interrupter = IoInterrupter.install(grabber, this::shouldInterruptIo);
                    if (grabber.hasVideo() && grabber.getImageWidth() > 0 && grabber.getImageHeight() > 0) {
                        // let FFmpeg scale while it converts the pixel format: far cheaper than Java2D at 1080p
                        int[] size = shaper.scaledSize(grabber.getImageWidth(), grabber.getImageHeight());
                        grabber.setImageWidth(size[0]);
                        grabber.setImageHeight(size[1]);
                    }
                    long origin = Long.MIN_VALUE;
                    long paceStartNanos = System.nanoTime();
                    while (!stopping) {
                        Frame frame = SelectiveConversion.grab(grabber, withAudio);
                        if (frame == null) {
                            lost = stale ? watchdogMessage() : live ? "the source ended the stream" : null;
                            break;
                        }
                        boolean video = frame.type == Frame.Type.VIDEO;
                        boolean audio = frame.type == Frame.Type.AUDIO && withAudio;
                        if (!video && !audio) {
                            continue;
                        }
                        lastDataNanos = System.nanoTime();
                        if (origin == Long.MIN_VALUE) {
                            origin = live ? frame.timestamp : 0;
                        }
                        long pts = frame.timestamp - origin + timelineBase;
                        if (!gotData) {
                            gotData = true;
                            failures = 0;
                            String message = "receiving from " + source.url();
                            if (lastTimelinePts >= 0 && live) {
                                gaps.incrementAndGet();
                                message = "reconnected; outage gap in stream time " + lastTimelinePts + " .. "
                                        + pts + " us";
                            }
                            transition(StreamState.RUNNING, message);
                        }
                        lastTimelinePts = Math.max(lastTimelinePts, pts);
                        lastDataWallNanos = System.nanoTime();
                        if (source.pace() && !live) {
                            pace(paceStartNanos, pts);
                        }
                        if (video && sampler.take(pts)) {
                            SelectiveConversion.convertImage(grabber);
                            BufferedImage shaped = shaper.shape(converter.getBufferedImage(frame));
                            lastPtsMicros = pts;
                            put(new PendingQueue.FrameItem(frameSequence++, pts, System.currentTimeMillis(), shaped));
                        } else if (audio) {
                            SelectiveConversion.convertSamples(grabber);
                            for (AudioChunk c : chunker.add(pts, (ShortBuffer) frame.samples[0])) {
                                put(new PendingQueue.ChunkItem(c));
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    lost = stale ? watchdogMessage()
                            : (opened ? "read error: " : "cannot open " + source.url() + ": ") + describe(e);
                } finally {
                    release(grabber);
                    if (interrupter != null) {
                        interrupter.close(); // after the grabber: FFmpeg may call it until then
                    }
                }
                for (AudioChunk c : chunker.flush()) {
                    put(new PendingQueue.ChunkItem(c));
                }
                if (stopping) {
                    return new Outcome(StreamState.ENDED, "stopped");
                }
                if (!live) {
                    if (lost == null && !gotData) {
                        lost = "no audio or video could be read from " + source.url()
                               ;
                    }
                    return lost == null ? new Outcome(StreamState.ENDED, "end of file")
                            : new Outcome(StreamState.FAILED, lost);
                }
                // a live source was lost or could not be opened: back off and retry
                failures = gotData ? 1 : failures + 1;
                lastError = lost;
                if (!policy.allows(failures)) {
                    return new Outcome(StreamState.FAILED, "gave up after " + failures
                            + " consecutive failed attempts; last: " + lost);
                }
                Duration delay = policy.delayBefore(failures);
                reconnects.incrementAndGet();
                transition(StreamState.RECONNECTING, lost + "; reconnect attempt " + failures + " in "
                        + delay.toMillis() + " ms");
                sleep(delay);
                if (lastTimelinePts >= 0) {
                    long outageMicros = (System.nanoTime() - lastDataWallNanos) / 1000;
                    timelineBase = lastTimelinePts + Math.max(outageMicros, 1);
                }
                sampler.reset();
            }
            return new Outcome(StreamState.ENDED, "stopped");
        }
    }

    /**
     * Asked by FFmpeg while it waits for input: give up when stopping, or when a live source has delivered no
     * audio or video for the no-data timeout (the watchdog; FFmpeg's own socket timeouts back it up).
     */
    private boolean shouldInterruptIo() {
        if (stopping) {
            return true;
        }
        if (live && System.nanoTime() - lastDataNanos > source.noDataTimeout().toNanos()) {
            stale = true;
            return true;
        }
        return false;
    }

    private String watchdogMessage() {
        return "no data for " + source.noDataTimeout().toMillis() + " ms (watchdog)";
    }

    private void put(PendingQueue.Item item) throws InterruptedException {
        for (PendingQueue.Item dropped : queue.put(item)) {
            if (dropped instanceof PendingQueue.FrameItem) {
                framesDropped.incrementAndGet();
            } else {
                chunksDropped.incrementAndGet();
            }
        }
    }

    private void pace(long startNanos, long ptsMicros) throws InterruptedException {
        long wait = startNanos + ptsMicros * 1000 - System.nanoTime();
        if (wait > 0) {
            synchronized (sleeper) {
                if (!stopping) {
                    TimeUnit.NANOSECONDS.timedWait(sleeper, wait);
                }
            }
        }
    }

    private void sleep(Duration delay) throws InterruptedException {
        long until = System.nanoTime() + delay.toNanos();
        synchronized (sleeper) {
            long left;
            while (!stopping && (left = until - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(sleeper, left);
            }
        }
    }

    private static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (Exception e) {
            LOG.debug("closing grabber: {}", e.toString());
        }
    }

    private static final Pattern FFMPEG_ERROR = Pattern.compile("error (-\\d+)");
    // JavaCV appends generic hints to every message; they are always at the end
    private static final Pattern JAVACV_HINTS = Pattern.compile("\\s*\\((Has setFormat|For more details).*$",
            Pattern.DOTALL);

    /** JavaCV's message without its generic hints, with FFmpeg's own words for the error code. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = JAVACV_HINTS.matcher(m).replaceAll("");
        Matcher code = FFMPEG_ERROR.matcher(m);
        if (code.find()) {
            byte[] buf = new byte[256];
            if (avutil.av_strerror(Integer.parseInt(code.group(1)), buf, buf.length) == 0) {
                int len = 0;
                while (len < buf.length && buf[len] != 0) {
                    len++;
                }
                m = m + " [" + new String(buf, 0, len, StandardCharsets.UTF_8) + "]";
            }
        }
        return m;
    }

    // ---- the sender: encoding and Kafka ----

    private void sendLoop() {
        long expectedFrame = 0;
        long expectedChunk = 0;
        try (FrameEncoder encoder = new FrameEncoder(source.encoding(), source.jpegQuality())) {
            PendingQueue.Item item;
            while ((item = queue.take()) != null) {
                switch (item) {
                    case PendingQueue.FrameItem f -> {
                        if (f.sequence() != expectedFrame) {
                            reportGap("frames", expectedFrame, f.sequence());
                        }
                        expectedFrame = f.sequence() + 1;
                        sendFrame(encoder, f);
                    }
                    case PendingQueue.ChunkItem c -> {
                        if (c.chunk().sequence() != expectedChunk) {
                            reportGap("audio chunks", expectedChunk, c.chunk().sequence());
                        }
                        expectedChunk = c.chunk().sequence() + 1;
                        sendChunk(c.chunk());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            // the reader must not block forever on a dead sender: fail the stream
            LOG.error("stream {}: sender failed", source.id(), t);
            lastError = "sender failed: " + t;
            stop();
            drainAfterFailure();
        }
    }

    private void drainAfterFailure() {
        try {
            while (queue.take() != null) {
                framesDropped.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reportGap(String what, long from, long to) {
        gaps.incrementAndGet();
        String message = "gap: " + what + " " + from + ".." + (to - 1) + " dropped (" + (to - from)
                + ", producer behind a live source)";
        LOG.warn("stream {}: {}", source.id(), message);
        report(message);
    }

    private void sendFrame(FrameEncoder encoder, PendingQueue.FrameItem f) {
        byte[] data = encoder.encode(f.image());
        VideoFrame frame = new VideoFrame(source.id(), f.sequence(), f.ptsMicros(), f.captureMillis(),
                f.image().getWidth(), f.image().getHeight(), source.encoding(), data);
        try {
            sink.sendFrame(frame, ack(framesSent, "frame " + f.sequence()));
        } catch (KafkaSink.TooLargeException e) {
            framesDropped.incrementAndGet();
            error(e.getMessage());
        }
    }

    private void sendChunk(AudioChunk chunk) {
        try {
            sink.sendChunk(chunk, ack(chunksSent, "audio chunk " + chunk.sequence()));
        } catch (KafkaSink.TooLargeException e) {
            chunksDropped.incrementAndGet();
            error(e.getMessage());
        }
    }

    /** Counts what Kafka confirmed and reports what it refused. */
    private KafkaSink.Ack ack(AtomicLong counter, String what) {
        return new KafkaSink.Ack() {
            @Override
            public void delivered(int bytes) {
                counter.incrementAndGet();
                bytesSent.addAndGet(bytes);
                safely(() -> listener.onProgress(stats()));
            }

            @Override
            public void failed(Exception e) {
                sendFailures.incrementAndGet();
                error(what + " not delivered to Kafka: " + e);
            }
        };
    }

    private void error(String message) {
        lastError = message;
        LOG.warn("stream {}: {}", source.id(), message);
        sink.sendError(source.id(), "ingest", message);
        safely(() -> listener.onError(source.id(), message));
    }

    // ---- events ----

    private synchronized void transition(StreamState next, String message) {
        state = next;
        report(message);
    }

    /** An event with the current state and counters: state changes and gap reports. */
    private synchronized void report(String message) {
        StreamEvent event = new StreamEvent(source.id(), state, framesSent.get(), chunksSent.get(),
                framesDropped.get(), reconnects.get(), gaps.get(), lastPtsMicros, message,
                System.currentTimeMillis());
        LOG.info("stream {}: {} {}", source.id(), state, message);
        try {
            sink.sendEvent(event);
        } catch (RuntimeException e) {
            LOG.error("stream {}: cannot send event: {}", source.id(), e.toString());
        }
        safely(() -> listener.onEvent(event));
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("ingest listener threw: {}", e.toString());
        }
    }
}
