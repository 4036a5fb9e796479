/**
 * Ingest: video files, RTSP/RTMP/HTTP(HLS) streams and V4L2 cameras through FFmpeg (JavaCV) into Kafka.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link dev.sightline.ingest.StreamSource}: one stream, with {@link dev.sightline.ingest.FitMode} and
 *       {@link dev.sightline.ingest.ReconnectPolicy}; every setting has a default.</li>
 *   <li>{@link dev.sightline.ingest.IngestService}: runs many streams into one producer;
 *       {@link dev.sightline.ingest.IngestedStream} handles, {@link dev.sightline.ingest.StreamStats} counters,
 *       {@link dev.sightline.ingest.IngestListener} callbacks.</li>
 *   <li>{@link dev.sightline.ingest.SyntheticMediaGenerator}: deterministic test clips from a
 *       {@link dev.sightline.ingest.SyntheticClipSpec}, with their {@link dev.sightline.ingest.GroundTruth}.</li>
 * </ul>
 *
 * <h2>What a stream produces</h2>
 * <ul>
 *   <li><b>Frames</b>, sampled by presentation time ({@code framesPerSecond}, default 1), brought to the output
 *       size (default 640x360) by letterboxing ({@link dev.sightline.ingest.FitMode#PAD}: the whole picture,
 *       black bars; CROP and STRETCH on request), JPEG (quality 85) or raw RGB24. Sequence numbers count sampled
 *       frames from 0 per run; a jump on the topic means frames were dropped.</li>
 *   <li><b>Audio</b>, resampled to 16 kHz mono s16, in chunks of {@code audioChunk} (default 1 s) whose times
 *       are counted in samples from the first one, on the same timeline as the frames.</li>
 *   <li><b>Events</b>: a {@code StreamEvent} for every state change (CONNECTING, RUNNING, RECONNECTING, FAILED,
 *       ENDED) and for every gap, with the counters so far. <b>Errors</b>: an {@code ErrorRecord} for a frame
 *       over the size limit, a record Kafka refused, or a failed stream.</li>
 * </ul>
 *
 * <h2>Timeline</h2>
 * A file keeps its own timestamps. A live source's timeline starts at 0 on the first connection; after a
 * reconnect it continues from the last timestamp plus the wall-clock length of the outage, so the outage shows
 * as a jump in stream time (and is reported as a gap).
 *
 * <h2>Files and live sources</h2>
 * Files are read without drops (the reader waits for the sender) and end with ENDED, or FAILED when they cannot
 * be read. Live sources (network URLs and /dev/ devices, unless {@code live} says otherwise) reconnect with
 * exponential backoff (5 s doubling to 60 s, forever by default); a no-data watchdog (20 s) interrupts FFmpeg
 * when nothing arrives; when the sender falls behind, the oldest pending frame is dropped, counted and reported
 * as a gap. RTSP uses TCP by default ({@code rtsp_transport} can be overridden in {@code ffmpegOptions}).
 *
 * <h2>Threads</h2>
 * Each stream has a reader thread (FFmpeg decoding, sampling, resizing) and a sender thread (JPEG encoding,
 * Kafka); one stream failing never touches another.
 */
package dev.sightline.ingest;
