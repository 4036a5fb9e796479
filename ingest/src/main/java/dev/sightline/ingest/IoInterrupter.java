package dev.sightline.ingest;

import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;

import java.util.function.BooleanSupplier;

/**
 * FFmpeg's I/O interrupt callback for one open grabber: FFmpeg asks it, while it waits on the network, whether to
 * give up. It says yes when ingest is stopping or the no-data watchdog has fired, so a grab blocked on a silent
 * camera returns instead of hanging (JavaCV sets no such callback itself, and FrameGrabber.setTimeout is unused
 * by FFmpegFrameGrabber).
 */
final class IoInterrupter extends AVIOInterruptCB.Callback_Pointer {
    private final BooleanSupplier interrupt;

    private IoInterrupter(BooleanSupplier interrupt) {
        super(); // allocates the native thunk that calls call()
        this.interrupt = interrupt;
    }

    /** Installs on the grabber's open format context; null if there is none. Keep it until the grabber is closed. */
    static IoInterrupter install(FFmpegFrameGrabber grabber, BooleanSupplier interrupt) {
        AVFormatContext oc = grabber.getFormatContext();
        if (oc == null || oc.isNull()) {
            return null;
        }
        IoInterrupter cb = new IoInterrupter(interrupt);
        oc.interrupt_callback().callback(cb);
        return cb;
    }

    @Override
    public int call(Pointer opaque) {
        try {
            return interrupt != null && interrupt.getAsBoolean() ? 1 : 0;
        } catch (RuntimeException e) {
            return 0; // never let an exception cross into FFmpeg
        }
    }
}
