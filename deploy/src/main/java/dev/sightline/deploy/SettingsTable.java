package dev.sightline.deploy;

/** The README's configuration table, generated from {@link Settings#ALL} (a test keeps the README equal to it). */
public final class SettingsTable {

    private SettingsTable() {
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Setting (YAML key) | Default | Environment variable | Flag | Meaning |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Setting<?> s : Settings.ALL) {
            String def = s.defaultValue().isEmpty() ? "(unset)" : "`" + s.defaultValue() + "`";
            String meaning = s.description() + (s.perStream() ? " Per stream as `" + s.streamKey() + "`." : "");
            sb.append("| `").append(s.key()).append("` | ").append(def)
                    .append(" | `").append(s.envVar()).append("` | `").append(s.flag()).append("` | ")
                    .append(meaning.replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
