package dev.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("sightline.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsApplyWhenNothingIsSet() {
        SightlineConfig c = ConfigLoader.load(null, Map.of(), Map.of(), List.of());
        assertThat(c.bootstrapServers()).isEmpty();
        assertThat(c.topicNames().frames()).isEqualTo("sightline.frames");
        assertThat(c.maxMessageBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.get(Settings.INGEST_FPS)).isEqualTo(1.0);
        assertThat(c.get(Settings.INGEST_RECONNECT_ATTEMPTS)).isEqualTo(-1);
        assertThat(c.get(Settings.INGEST_WATCHDOG)).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.isSet(Settings.BROKER_PORT)).isFalse();
        assertThat(c.brokerDataDir()).isEmpty();
    }

    @Test
    void fileIsOverriddenByEnvironmentWhichIsOverriddenByFlags() throws IOException {
        Path f = yaml("""
                topics:
                  prefix: file.
                  partitions: 3
                ingest:
                  fps: 2
                  reconnect:
                    cap: 90s
                """);
        Map<String, String> env = Map.of("SIGHTLINE_TOPICS_PREFIX", "env.", "SIGHTLINE_INGEST_FPS", "4");

        CommandLine cli = SightlineCli.commandLine();
        cli.parseArgs("broker", "--config", f.toString(), "--topic-prefix", "flag.");
        ConfigOptions options = ((SightlineCli.Configured) cli.getSubcommands().get("broker").getCommand())
                .configOptions();
        SightlineConfig c = options.load(List.of(), env);

        assertThat(c.get(Settings.TOPICS_PREFIX)).isEqualTo("flag.");          // flag beats env and file
        assertThat(c.origin(Settings.TOPICS_PREFIX)).isEqualTo("flag --topic-prefix");
        assertThat(c.get(Settings.INGEST_FPS)).isEqualTo(4.0);                 // env beats file
        assertThat(c.origin(Settings.INGEST_FPS)).isEqualTo("env SIGHTLINE_INGEST_FPS");
        assertThat(c.get(Settings.TOPICS_PARTITIONS)).isEqualTo(3);            // file beats default
        assertThat(c.get(Settings.INGEST_RECONNECT_CAP)).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.topicSettings().partitions()).isEqualTo(3);
        assertThat(c.topicNames().audio()).isEqualTo("flag.audio");
    }

    @Test
    void streamsComeFromFileAndFlagsAndTheirOwnValuesWin() throws IOException {
        Path f = yaml("""
                ingest:
                  fps: 2
                streams:
                  - id: lobby
                    url: rtsp://cam1/stream
                    fps: 5
                    reconnect:
                      attempts: 3
                  - id: yard
                    url: /videos/yard.mp4
                """);
        SightlineConfig c = ConfigLoader.load(f, Map.of("SIGHTLINE_INGEST_FPS", "3"), Map.of(),
                List.of("door=rtsp://cam2/live"));
        assertThat(c.streams()).extracting(StreamConfig::id).containsExactly("lobby", "yard", "door");
        StreamConfig lobby = c.streams().get(0);
        assertThat(lobby.url()).isEqualTo("rtsp://cam1/stream");
        assertThat(lobby.get(Settings.INGEST_FPS, c)).isEqualTo(5.0);
        assertThat(lobby.get(Settings.INGEST_RECONNECT_ATTEMPTS, c)).isEqualTo(3);
        assertThat(c.streams().get(1).get(Settings.INGEST_FPS, c)).isEqualTo(3.0);
        assertThat(c.streams().get(2).url()).isEqualTo("rtsp://cam2/live");
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() throws IOException {
        Path f = yaml("""
                ingest:
                  fsp: 2
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting 'ingest.fsp'")
                .hasMessageContaining(f.toString())
                .hasMessageContaining("Did you mean 'ingest.fps'?");
    }

    @Test
    void unknownKeyInAStreamIsNamed() throws IOException {
        Path f = yaml("""
                streams:
                  - id: lobby
                    url: rtsp://cam1/stream
                    jpeg-qualty: 80
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting 'jpeg-qualty'")
                .hasMessageContaining("streams[0] (lobby)")
                .hasMessageContaining("Did you mean 'jpeg-quality'?");
    }

    @Test
    void badValuesNameTheSettingTheValueAndWhereItCameFrom() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SIGHTLINE_INGEST_FPS", "fast"), Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'ingest.fps'")
                .hasMessageContaining("env SIGHTLINE_INGEST_FPS")
                .hasMessageContaining("\"fast\"")
                .hasMessageContaining("expected a number");
        Path f = yaml("topics:\n  max-message-bytes: 10\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of(), List.of()))
                .hasMessageContaining("'topics.max-message-bytes'")
                .hasMessageContaining("65536");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("ingest.watchdog", "-5s"), List.of()))
                .hasMessageContaining("'ingest.watchdog' (flag --watchdog)")
                .hasMessageContaining("positive duration");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("ingest.encoding", "png"), List.of()))
                .hasMessageContaining("expected one of jpeg, rgb");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("topics.frames", "bad name!"), List.of()))
                .hasMessageContaining("topics.*").hasMessageContaining("bad name!");
    }

    @Test
    void sizesAndDurationsAcceptUnits() {
        SightlineConfig c = ConfigLoader.load(null, Map.of("SIGHTLINE_TOPICS_MAX_MESSAGE_BYTES", "16MiB"),
                Map.of("ingest.audio-chunk", "500ms", "ingest.reconnect.base", "PT2S"), List.of());
        assertThat(c.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(c.get(Settings.INGEST_AUDIO_CHUNK)).isEqualTo(Duration.ofMillis(500));
        assertThat(c.get(Settings.INGEST_RECONNECT_BASE)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void streamMistakesAreClear() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(), List.of("no-equals-sign")))
                .hasMessageContaining("--stream no-equals-sign").hasMessageContaining("expected id=url");
        Path f = yaml("streams:\n  - id: a\n    url: x.mp4\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of(), List.of("a=y.mp4")))
                .hasMessageContaining("stream id 'a' is defined twice");
        Path g = yaml("streams:\n  - id: a\n");
        assertThatThrownBy(() -> ConfigLoader.load(g, Map.of(), Map.of(), List.of()))
                .hasMessageContaining("streams[0] needs a non-empty 'url'");
    }

    @Test
    void brokenYamlAndMissingFileAreReported() throws IOException {
        Path f = yaml("topics: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of(), Map.of(), List.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void unknownSightlineEnvironmentVariableWarns() {
        SightlineConfig c = ConfigLoader.load(null, Map.of("SIGHTLINE_TOPIC_PREFIX", "x."), Map.of(), List.of());
        assertThat(c.warnings()).singleElement().asString()
                .contains("SIGHTLINE_TOPIC_PREFIX").contains("did you mean SIGHTLINE_TOPICS_PREFIX?");
        assertThat(c.get(Settings.TOPICS_PREFIX)).isEqualTo("sightline.");
    }
}
