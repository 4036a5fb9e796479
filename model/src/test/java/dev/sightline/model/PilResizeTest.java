package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java resize against Pillow's, from training/make_resize_fixture.py: every byte identical. */
class PilResizeTest {

    static List<Arguments> cases() throws IOException {
        JsonNode index = new ObjectMapper().readTree(Fixtures.dir("resize").resolve("cases.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : index.get("cases")) {
            for (PilResize.Filter f : PilResize.Filter.values()) {
                out.add(Arguments.of(c.get("name").asText(), c.get("in").get(0).asInt(), c.get("in").get(1).asInt(),
                        c.get("out").get(0).asInt(), c.get("out").get(1).asInt(), f));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}x{2} -> {3}x{4} {5}")
    @MethodSource("cases")
    void matchesPillowByteForByte(String name, int w, int h, int outW, int outH, PilResize.Filter filter) {
        byte[] in = bytes(Fixtures.npy("resize", name + "_in.npy").asLongs());
        byte[] expected = bytes(Fixtures.npy("resize", name + "_" + filter.name().toLowerCase() + ".npy").asLongs());
        byte[] actual = PilResize.resize(in, w, h, outW, outH, filter);
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            differing += expected[i] != actual[i] ? 1 : 0;
        }
        assertThat(actual).hasSize(expected.length);
        assertThat(differing).as("bytes differing from Pillow").isZero();
    }

    private static byte[] bytes(long[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
