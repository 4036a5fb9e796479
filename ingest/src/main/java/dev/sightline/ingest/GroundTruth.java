package dev.sightline.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sightline.protocol.JsonSerde;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a synthetic clip contains and when: the answer key for tests, the demo and StreamQA. Times are
 * microseconds from the clip's start; a shape is visible in {@code [appearMicros, leaveMicros)}.
 */
public record GroundTruth(SyntheticClipSpec spec, List<Shape> shapes, List<Tone> tones) {
    public GroundTruth {
        shapes = List.copyOf(shapes);
        tones = List.copyOf(tones);
    }

    public enum Kind { CIRCLE, SQUARE, TRIANGLE }

    /**
     * A shape moving in a straight line at constant speed from (x0, y0) to (x1, y1) (its centre, in pixels)
     * while visible.
     */
    public record Shape(int id, Kind kind, String colour, int rgb, int size, long appearMicros, long leaveMicros,
                        double x0, double y0, double x1, double y1) {
        public boolean visibleAt(long micros) {
            return micros >= appearMicros && micros < leaveMicros;
        }

        /** Centre at {@code micros} (clamped to the visible interval). */
        public double[] centreAt(long micros) {
            double span = Math.max(1, leaveMicros - appearMicros);
            double f = Math.clamp((micros - appearMicros) / span, 0.0, 1.0);
            return new double[]{x0 + (x1 - x0) * f, y0 + (y1 - y0) * f};
        }
    }

    /** A sine tone, faded in and out over 5 ms, audible in {@code [startMicros, endMicros)}. */
    public record Tone(long startMicros, long endMicros, double frequencyHz, double amplitude) {
        public boolean audibleAt(long micros) {
            return micros >= startMicros && micros < endMicros;
        }
    }

    public List<Shape> visibleAt(long micros) {
        return shapes.stream().filter(s -> s.visibleAt(micros)).toList();
    }

    public Optional<Tone> toneAt(long micros) {
        return tones.stream().filter(t -> t.audibleAt(micros)).findFirst();
    }

    private static ObjectMapper mapper() {
        return JsonSerde.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public void writeJson(Path file) throws IOException {
        mapper().writeValue(file.toFile(), this);
    }

    public static GroundTruth readJson(Path file) throws IOException {
        return mapper().readValue(file.toFile(), GroundTruth.class);
    }
}
