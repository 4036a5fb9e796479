package dev.sightline.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken checkpoints end in a ModelFormatException that names the problem, never a JVM crash. */
class CheckpointErrorsTest {

    /** A copy of the llama fixture (symlinked weights) whose files the test may then replace. */
    static Path copyOf(String name, Path tmp) throws Exception {
        try (Stream<Path> files = Files.list(Fixtures.dir(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, tmp.resolve(f.getFileName()));
            }
        }
        return tmp;
    }

    @Test
    void truncatedSafetensorsIsReported(@TempDir Path tmp) throws Exception {
        Path dir = copyOf("llama", tmp);
        Path w = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(all, all.length - 1000));
        assertThatThrownBy(() -> Model.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("model.safetensors");
        Files.write(w, new byte[]{1, 2, 3});
        assertThatThrownBy(() -> Model.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void missingTensorIsNamed(@TempDir Path tmp) throws Exception {
        Path dir = copyOf("llama", tmp);
        rewriteWithout(dir, "model.layers.1.mlp.up_proj.weight", null);
        assertThatThrownBy(() -> Model.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("missing tensor 'model.layers.1.mlp.up_proj.weight'");
    }

    @Test
    void misShapedTensorIsNamedWithBothShapes(@TempDir Path tmp) throws Exception {
        Path dir = copyOf("llama", tmp);
        rewriteWithout(dir, "model.layers.0.self_attn.k_proj.weight", new long[]{16, 64});
        assertThatThrownBy(() -> Model.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.layers.0.self_attn.k_proj.weight")
                .hasMessageContaining("[16, 64]").hasMessageContaining("[32, 64]");
    }

    @Test
    void unknownArchitectureAndDtypeAreNamed(@TempDir Path tmp) throws Exception {
        Path dir = copyOf("llama", tmp);
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("LlamaForCausalLM", "GPTNeoXForCausalLM"));
        assertThatThrownBy(() -> Model.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unsupported architecture 'GPTNeoXForCausalLM'");
        Files.writeString(dir.resolve("config.json"), config);
        Path w = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(w);
        String head = new String(all, 8, 200, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = head.indexOf("\"BF16\"");
        assertThat(at).isPositive();
        all[8 + at + 1] = 'I';
        all[8 + at + 2] = '1';
        all[8 + at + 3] = '6';
        all[8 + at + 4] = '_';
        Files.write(w, all);
        assertThatThrownBy(() -> Model.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("dtype I16_");
    }

    @Test
    void missingFolderAndConfigAreReported(@TempDir Path tmp) {
        assertThatThrownBy(() -> Model.load(tmp.resolve("nope"))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Model.load(tmp)).hasMessageContaining("no config.json");
    }

    @Test
    void f32AndF16CheckpointsGiveTheSameLogitsAsBf16(@TempDir Path tmp) throws Exception {
        for (DType dtype : new DType[]{DType.F32, DType.F16}) {
            Path dir = Files.createDirectory(tmp.resolve(dtype.name()));
            copyOf("llama", dir);
            Checkpoint src = Checkpoint.open(Fixtures.dir("llama"));
            SafetensorsWriter out = new SafetensorsWriter();
            for (String name : src.names()) {
                Tensor t = src.tensor(name);
                out.add(name, dtype, t.shape(), t.toFloats()); // BF16 values are exact in F32 and F16 here
            }
            src.close();
            out.write(dir.resolve("model.safetensors"));
            try (Model model = Model.load(dir)) {
                int[] ids = Fixtures.ints(Fixtures.npy("llama", "input_ids.npy").asLongs());
                float tol = dtype == DType.F32 ? Fixtures.TOLERANCE : 0.05f;
                assertThat(Fixtures.maxAbsDiff(Fixtures.npy("llama", "logits.npy").asFloats(),
                        model.logits(ids, java.util.List.of()))).as(dtype.name()).isLessThan(tol);
            }
        }
    }

    /** Rewrites model.safetensors dropping {@code name}, or re-adding it with {@code newShape} (zeros). */
    private static void rewriteWithout(Path dir, String name, long[] newShape) {
        Checkpoint src = Checkpoint.open(dir);
        SafetensorsWriter out = new SafetensorsWriter();
        for (String n : src.names()) {
            Tensor t = src.tensor(n);
            if (n.equals(name)) {
                if (newShape != null) {
                    out.add(n, DType.BF16, newShape, i -> 0f);
                }
            } else {
                out.add(n, t.dtype(), t.shape(), t.toFloats());
            }
        }
        src.close();
        Path tmpFile = dir.resolve("rewritten.tmp");
        out.write(tmpFile);
        try {
            Files.move(tmpFile, dir.resolve("model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }
}
