package dev.sightline.runtime;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The sessions' memory checkpoints in the local state folder, one folder per tokens partition (a Kafka Streams task
 * owns one partition of tokens and of queries, so all sessions of a partition are checkpointed together):
 *
 * <pre>
 * {checkpointDir}/{applicationId}/p{partition}/manifest.json      which snapshots, covering which offset
 * {checkpointDir}/{applicationId}/p{partition}/{hex(streamId)}-{generation}.kv   kv-memory snapshots
 * </pre>
 *
 * <p>A checkpoint is written snapshots first, then the manifest by atomic rename, then older generations deleted: a
 * crash at any point leaves the previous manifest and its snapshots intact. The manifest records the last tokens
 * offset the snapshots include; after a restart the session replays the batches after it.
 */
final class SessionCheckpoints {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .build();

    /** One session in a manifest. */
    record Entry(String streamId, String file, SessionCounters counters) {
    }

    /** What a checkpoint covers. {@code tokensOffset} is the last tokens offset applied (-1: none). */
    record Manifest(int version, int partition, long tokensOffset, long generation, long writtenAtMillis,
                    List<Entry> sessions) {
    }

    private final Path root;

    SessionCheckpoints(Path checkpointDir, String applicationId) {
        this.root = checkpointDir.resolve(applicationId);
    }

    Path folder(int partition) {
        return root.resolve("p" + partition);
    }

    Optional<Manifest> read(int partition) {
        Path manifest = folder(partition).resolve("manifest.json");
        if (!Files.exists(manifest)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(manifest.toFile(), Manifest.class));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable session checkpoint manifest " + manifest + ": " + e.getMessage(),
                    e);
        }
    }

    /** Writes one snapshot of a new generation; the caller then commits them all with {@link #commit}. */
    interface SnapshotWriter {
        void write(OutputStream out) throws IOException;
    }

    String writeSnapshot(int partition, String streamId, long generation, SnapshotWriter writer) throws IOException {
        Path dir = folder(partition);
        Files.createDirectories(dir);
        String name = HexFormat.of().formatHex(streamId.getBytes(StandardCharsets.UTF_8)) + "-" + generation + ".kv";
        Path tmp = dir.resolve(name + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            writer.write(out);
        }
        move(tmp, dir.resolve(name));
        return name;
    }

    void commit(Manifest manifest) throws IOException {
        Path dir = folder(manifest.partition());
        Files.createDirectories(dir);
        Path tmp = dir.resolve("manifest.json.tmp");
        JSON.writeValue(tmp.toFile(), manifest);
        move(tmp, dir.resolve("manifest.json"));
        // older generations are no longer referenced
        List<String> keep = new ArrayList<>();
        for (Entry e : manifest.sessions()) {
            keep.add(e.file());
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if ((n.endsWith(".kv") || n.endsWith(".kv.tmp")) && !keep.contains(n)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    Path snapshot(int partition, String file) {
        return folder(partition).resolve(file);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
