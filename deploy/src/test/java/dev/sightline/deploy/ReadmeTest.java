package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README must describe the configuration the code really reads. */
class ReadmeTest {

    private static final String BEGIN = "<!-- settings:begin (generated from Settings.java; ReadmeTest checks it) -->\n";
    private static final String END = "<!-- settings:end -->";

    private static final Path README = Path.of("..", "README.md");

    /** The table lists exactly the settings the code reads, with their real defaults, variables and flags. */
    @Test
    void settingsTableMatchesTheSettingsCatalogue() throws Exception {
        String text = Files.readString(README);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("README.md has the settings table markers").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String table = text.substring(begin + BEGIN.length(), end);
        assertThat(table)
                .as("README.md settings table is out of date; replace it with:%n%s", SettingsTable.markdown())
                .isEqualTo(SettingsTable.markdown());
    }

    /** The example configuration in the README loads without errors and means what it says. */
    @Test
    void exampleConfigurationLoads(@TempDir Path dir) throws Exception {
        String text = Files.readString(README);
        int start = text.indexOf("```yaml\n");
        assertThat(start).as("README.md has a ```yaml example").isNotNegative();
        int end = text.indexOf("```", start + 8);
        Path yaml = Files.writeString(dir.resolve("example.yaml"), text.substring(start + 8, end));

        SightlineConfig c = ConfigLoader.load(yaml, Map.of(), Map.of(), List.of());
        assertThat(c.topicNames().frames()).isEqualTo("site1.frames");
        assertThat(c.streams()).extracting(StreamConfig::id).containsExactly("lobby", "yard");
        assertThat(c.streams().get(0).get(Settings.INGEST_FPS, c)).isEqualTo(2.0);
        assertThat(StreamSources.of(c)).hasSize(2);
    }
}
