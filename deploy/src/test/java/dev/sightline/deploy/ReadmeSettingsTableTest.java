package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The README's configuration table must list exactly the settings the code reads, with their real defaults. */
class ReadmeSettingsTableTest {

    private static final String BEGIN = "<!-- settings:begin (generated from Settings.java; ReadmeSettingsTableTest checks it) -->\n";
    private static final String END = "<!-- settings:end -->";

    @Test
    void readmeTableMatchesTheSettingsCatalogue() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("README.md has the settings table markers").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String table = text.substring(begin + BEGIN.length(), end);
        assertThat(table)
                .as("README.md settings table is out of date; replace it with:%n%s", SettingsTable.markdown())
                .isEqualTo(SettingsTable.markdown());
    }
}
