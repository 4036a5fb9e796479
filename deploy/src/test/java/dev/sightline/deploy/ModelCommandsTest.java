package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import dev.sightline.model.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The model's commands as wired into {@code sightline}: {@code logits} on the model module's tiny SmolVLM checkpoint
 * (text and an image) reproduces the logits transformers computed for it, committed beside the checkpoint.
 */
class ModelCommandsTest {

    static final Path SMOLVLM = Path.of("..", "model", "src", "test", "resources", "fixtures", "smolvlm");

    @Test
    void logitsMatchTheTransformersReference(@TempDir Path dir) {
        Path out = dir.resolve("logits.npy");
        int rc = SightlineCli.commandLine().execute("logits", "--model", SMOLVLM.toString(),
                "--input-ids", SMOLVLM.resolve("input_ids.npy").toString(),
                "--pixel-values", SMOLVLM.resolve("pixel_values.npy").toString(), "--out", out.toString());
        assertThat(rc).isZero();

        Npy.Array got = Npy.read(out);
        Npy.Array expected = Npy.read(SMOLVLM.resolve("logits.npy"));
        assertThat(got.shape()).containsExactly(expected.shape());
        float[] g = got.asFloats();
        float[] e = expected.asFloats();
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(g[i] - e[i]));
        }
        assertThat(maxDiff).as("largest difference from transformers' logits").isLessThan(1e-3);
    }

    @Test
    void generateStreamsTextAndABadModelFolderIsOneClearError() {
        PrintStream stdout = System.out;
        var text = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
            rc = SightlineCli.commandLine().execute("generate", "--model", SMOLVLM.toString(), "--prompt", "Hello",
                    "--max-tokens", "4");
        } finally {
            System.setOut(stdout);
        }
        assertThat(rc).isZero();
        assertThat(text.toString(StandardCharsets.UTF_8)).isNotBlank();

        StringWriter err = new StringWriter();
        CommandLine cli = SightlineCli.commandLine();
        cli.setErr(new PrintWriter(err));
        PrintStream stderr = System.err;
        var errText = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(errText, true, StandardCharsets.UTF_8));
            rc = cli.execute("logits", "--model", "no-such-folder", "--input-ids",
                    SMOLVLM.resolve("input_ids.npy").toString(), "--out", "y.npy");
        } finally {
            System.setErr(stderr);
        }
        assertThat(rc).isEqualTo(2);
        assertThat(errText.toString(StandardCharsets.UTF_8)).contains("no-such-folder");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"logits", "generate", "tokenize", "runtime"}) {
            StringWriter out = new StringWriter();
            CommandLine cli = SightlineCli.commandLine();
            cli.setOut(new PrintWriter(out));
            assertThat(cli.execute(command, "--help")).as(command).isZero();
            assertThat(out.toString()).as(command).contains("Usage: sightline " + command);
        }
    }

    @Test
    void runtimeSettingsAreCheckedWhenTheConfigurationLoads() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of(),
                        java.util.Map.of("runtime.policy", "bogus"), java.util.List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("runtime.policy").hasMessageContaining("bogus").hasMessageContaining("snapkv");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of(),
                        java.util.Map.of("runtime.page-format", "f8"), java.util.List.of()))
                .hasMessageContaining("runtime.page-format").hasMessageContaining("kivi2");
        SightlineConfig c = ConfigLoader.load(null, java.util.Map.of("SIGHTLINE_RUNTIME_BUDGET", "2MiB"),
                java.util.Map.of("runtime.policy", "adakv:snapkv"), java.util.List.of());
        var rc = RuntimeApp.config(c, "localhost:9092");
        assertThat(rc.defaults().budgetBytes()).isEqualTo(2L << 20);
        assertThat(rc.defaults().policy()).isEqualTo("adakv:snapkv");
        assertThat(rc.modelDir()).endsWith(Path.of(ModelFolders.DEFAULT_MODEL));
    }

    /**
     * The trained StreamQA model (the default) brings its own audio tower and is run as it was trained: no system
     * turn, whole frames, one-second audio windows; another model gets the tiny test encoder, the runtime's system
     * prompt and the reduction stages, unless configured otherwise.
     */
    @Test
    void modelDependentDefaultsFollowTheModelFolderUnlessSet() {
        SightlineConfig defaults = ConfigLoader.load(null, java.util.Map.of(), java.util.Map.of(), java.util.List.of());
        Path trained = ModelFolders.resolve(defaults.get(Settings.MODEL_DIR), Settings.MODEL_DIR, defaults);
        assertThat(ModelFolders.isStreamQa(trained)).isTrue();
        assertThat(ModelFolders.audioFolder(defaults, trained)).isEqualTo(trained);
        assertThat(ModelFolders.audioWindowSamples(trained)).isEqualTo(16_000);
        assertThat(ModelFolders.systemPrompt(defaults, trained)).contains("");
        assertThat(RuntimeApp.config(defaults, "localhost:9092").systemPrompt()).isEmpty();
        assertThat(TokenizerApp.stages(defaults, trained)).isEqualTo(dev.sightline.tokenizer.StageSettings.ALL_OFF);

        SightlineConfig tiny = ConfigLoader.load(null, java.util.Map.of(),
                java.util.Map.of("model.dir", ModelFolders.TINY_RANDOM_MODEL), java.util.List.of());
        Path tinyDir = ModelFolders.resolve(tiny.get(Settings.MODEL_DIR), Settings.MODEL_DIR, tiny);
        assertThat(ModelFolders.audioFolder(tiny, tinyDir)).endsWith(Path.of(ModelFolders.TINY_AUDIO_MODEL));
        assertThat(ModelFolders.systemPrompt(tiny, tinyDir)).isEmpty();
        assertThat(RuntimeApp.config(tiny, "localhost:9092").systemPrompt()).isNotBlank();
        assertThat(TokenizerApp.stages(tiny, tinyDir)).isEqualTo(dev.sightline.tokenizer.StageSettings.DEFAULTS);

        SightlineConfig set = ConfigLoader.load(null, java.util.Map.of(), java.util.Map.of(
                "runtime.system-prompt", "Watch the door.", "tokenizer.stages", "on"), java.util.List.of());
        assertThat(RuntimeApp.config(set, "localhost:9092").systemPrompt()).isEqualTo("Watch the door.");
        assertThat(TokenizerApp.stages(set, trained)).isEqualTo(dev.sightline.tokenizer.StageSettings.DEFAULTS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of(),
                        java.util.Map.of("tokenizer.stages", "maybe"), java.util.List.of()))
                .hasMessageContaining("tokenizer.stages").hasMessageContaining("maybe");
    }
}
