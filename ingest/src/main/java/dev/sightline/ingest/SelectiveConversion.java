package dev.sightline.ingest;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Grabs decoded frames without converting them, and converts only the ones ingest keeps: every audio frame
 * (resampled to 16 kHz mono s16) but only the sampled video frames (YUV to BGR by swscale).
 *
 * <p>Why: at 1080p the pixel conversion costs several times the decoding itself (see docs/benchmarks.md,
 * {@code ## ingest}), and sampling 1 frame per second from 30 keeps 1 in 30. JavaCV converts all or nothing
 * ({@code grabFrame(..., doProcessing, ...)}), so its two private conversion steps are called through reflection.
 * JavaCV is pinned (1.5.14); if a version lacks them, {@link #supported()} is false and every frame is converted
 * as JavaCV does by default: slower, never wrong. The system property {@value #CONVERT_ALL_PROPERTY}{@code =true}
 * turns the optimisation off (the benchmark compares both).
 */
final class SelectiveConversion {
    private static final Logger LOG = LoggerFactory.getLogger(SelectiveConversion.class);
    static final String CONVERT_ALL_PROPERTY = "sightline.ingest.convertAllFrames";
    private static final Method PROCESS_IMAGE = find("processImage");
    private static final Method PROCESS_SAMPLES = find("processSamples");

    private SelectiveConversion() {
    }

    private static Method find(String name) {
        try {
            Method m = FFmpegFrameGrabber.class.getDeclaredMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("JavaCV has no accessible {}(): converting every frame ({})", name, e.toString());
            return null;
        }
    }

    static boolean supported() {
        return PROCESS_IMAGE != null && PROCESS_SAMPLES != null && !Boolean.getBoolean(CONVERT_ALL_PROPERTY);
    }

    /** The next video or audio frame, unconverted when {@link #supported()}; null at the end. */
    static Frame grab(FFmpegFrameGrabber grabber, boolean withAudio) throws FFmpegFrameGrabber.Exception {
        return grabber.grabFrame(withAudio, true, !supported(), false, false);
    }

    /** Converts the video frame just grabbed into {@code frame.image} (BGR24 at the grabber's image size). */
    static void convertImage(FFmpegFrameGrabber grabber) throws FFmpegFrameGrabber.Exception {
        invoke(PROCESS_IMAGE, grabber);
    }

    /** Converts the audio frame just grabbed into {@code frame.samples} (the grabber's sample format). */
    static void convertSamples(FFmpegFrameGrabber grabber) throws FFmpegFrameGrabber.Exception {
        invoke(PROCESS_SAMPLES, grabber);
    }

    private static void invoke(Method m, FFmpegFrameGrabber grabber) throws FFmpegFrameGrabber.Exception {
        if (!supported()) {
            return; // grab() converted already
        }
        try {
            m.invoke(grabber);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof FFmpegFrameGrabber.Exception fe) {
                throw fe;
            }
            throw new IllegalStateException("frame conversion failed", e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
