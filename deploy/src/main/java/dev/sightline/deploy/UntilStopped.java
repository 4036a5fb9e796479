package dev.sightline.deploy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a long-running command ends: on Ctrl-C (or SIGTERM) a shutdown hook closes the service, then the Kafka
 * connection (which stops an embedded broker last); until then, progress is printed at a fixed interval.
 */
final class UntilStopped {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private UntilStopped() {
    }

    /** Blocks until the process is asked to stop and {@code service} and {@code kafka} are closed. */
    static void run(String name, String stopMessage, AutoCloseable service, KafkaConnection kafka,
                    Runnable progress) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(stopMessage);
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("closing the " + name + " failed: " + e);
            }
            kafka.close();
            stopped.countDown();
        }, "sightline-" + name + "-stop"));
        while (!stopped.await(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
            progress.run();
        }
    }
}
