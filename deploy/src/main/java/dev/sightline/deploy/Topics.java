package dev.sightline.deploy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.TopicSetup;
import org.apache.kafka.clients.admin.Admin;

/** Creates Sightline's topics, with the configured partitions and size limit, on whatever cluster we use. */
final class Topics {

    private static final Duration VISIBLE_TIMEOUT = Duration.ofSeconds(30);

    private Topics() {
    }

    /**
     * Creates missing topics and waits until the brokers list all of them: creation is acknowledged by the
     * controller a moment before every broker's metadata has it, and clients started right after should not
     * meet "unknown topic".
     */
    static TopicSetup.Result ensure(String bootstrapServers, SightlineConfig config) {
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(bootstrapServers))) {
            TopicSetup.Result result = TopicSetup.ensureTopics(admin, config.topicNames(), config.topicSettings());
            awaitVisible(admin, Set.copyOf(config.topicNames().all()));
            return result;
        }
    }

    private static void awaitVisible(Admin admin, Set<String> topics) {
        long deadline = System.nanoTime() + VISIBLE_TIMEOUT.toNanos();
        try {
            while (!admin.listTopics().names().get(VISIBLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS).containsAll(topics)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + topics + " were created but are not listed by the "
                            + "cluster after " + VISIBLE_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e.getMessage(), e);
        }
    }
}
