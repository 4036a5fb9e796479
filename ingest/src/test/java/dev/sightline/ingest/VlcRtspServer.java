package dev.sightline.ingest;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real RTSP server for tests: VLC ({@code cvlc}) from Debian's packages, streaming a file in a loop. VLC
 * refuses to run as root, so as root it runs as the system user {@value #USER} (created if missing) through
 * {@code setpriv}, which execs VLC itself so that killing the process kills the server.
 */
final class VlcRtspServer implements AutoCloseable {
    static final String USER = "sightline-vlc";

    private final Process process;
    final int port;

    private VlcRtspServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean vlcPresent() {
        return Files.isExecutable(Path.of("/usr/bin/cvlc"));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Empty when VLC can be used; otherwise why not (the test is skipped with it). */
    static Optional<String> unavailableReason() {
        try {
            if (!vlcPresent()) {
                if (!isRoot()) {
                    return Optional.of("cvlc is not installed and installing needs root: apt-get install vlc");
                }
                if (run("apt-get", "update") != 0
                        | run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y",
                        "--no-install-recommends", "vlc-bin", "vlc-plugin-base") != 0 || !vlcPresent()) {
                    return Optional.of("could not install VLC with apt-get (no network or no Debian?)");
                }
            }
            if (isRoot() && run("id", USER) != 0
                    && run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER) != 0) {
                return Optional.of("could not create the non-root user " + USER + " for VLC");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run VLC setup: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Serves {@code clip} (readable by the VLC user) at {@code rtsp://127.0.0.1:port/clip}, looping. */
    static VlcRtspServer start(Path clip, int port) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups"));
        }
        cmd.addAll(List.of("/usr/bin/cvlc", "-q", "-I", "dummy", "--no-stats", clip.toString(), "--loop",
                "--sout", "#rtp{sdp=rtsp://127.0.0.1:" + port + "/clip}", "--sout-keep"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", "/tmp");
        return new VlcRtspServer(pb.start(), port);
    }

    String url() {
        return "rtsp://127.0.0.1:" + port + "/clip";
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: a camera that hangs with its connections open. */
    void signal(String signal) throws IOException, InterruptedException {
        if (run("kill", "-" + signal, Long.toString(process.pid())) != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Kills the server at once (SIGKILL), like a crashed camera. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
