package dev.sightline.deploy;

import java.util.List;
import java.util.Locale;

import dev.sightline.ingest.FitMode;
import dev.sightline.ingest.ReconnectPolicy;
import dev.sightline.ingest.StreamSource;
import dev.sightline.protocol.PixelFormat;

/** Maps configured streams onto ingest's {@link StreamSource}: each stream's own values over the global ones. */
final class StreamSources {

    private StreamSources() {
    }

    static List<StreamSource> of(SightlineConfig config) {
        return config.streams().stream().map(s -> of(s, config)).toList();
    }

    static StreamSource of(StreamConfig stream, SightlineConfig config) {
        String live = stream.get(Settings.INGEST_LIVE, config);
        try {
            return StreamSource.of(stream.id(), stream.url())
                    .withFramesPerSecond(stream.get(Settings.INGEST_FPS, config))
                    .withSize(stream.get(Settings.INGEST_WIDTH, config), stream.get(Settings.INGEST_HEIGHT, config))
                    .withFit(FitMode.valueOf(stream.get(Settings.INGEST_FIT, config).toUpperCase(Locale.ROOT)))
                    .withEncoding(stream.get(Settings.INGEST_ENCODING, config).equals("rgb")
                            ? PixelFormat.RGB24 : PixelFormat.JPEG)
                    .withJpegQuality(stream.get(Settings.INGEST_JPEG_QUALITY, config))
                    .withAudio(stream.get(Settings.INGEST_AUDIO, config))
                    .withAudioChunk(stream.get(Settings.INGEST_AUDIO_CHUNK, config))
                    .withReconnect(new ReconnectPolicy(stream.get(Settings.INGEST_RECONNECT_BASE, config),
                            stream.get(Settings.INGEST_RECONNECT_CAP, config),
                            stream.get(Settings.INGEST_RECONNECT_ATTEMPTS, config)))
                    .withNoDataTimeout(stream.get(Settings.INGEST_WATCHDOG, config))
                    .withLive(live.equals("auto") ? null : Boolean.valueOf(live))
                    .withPace(stream.get(Settings.INGEST_PACE, config))
                    .withQueueCapacity(stream.get(Settings.INGEST_QUEUE, config));
        } catch (IllegalArgumentException e) {
            // Values each pass on their own but not together (e.g. reconnect cap below base, chunk over 60 s).
            throw new ConfigException("stream '" + stream.id() + "' (" + stream.origin() + "): " + e.getMessage());
        }
    }
}
