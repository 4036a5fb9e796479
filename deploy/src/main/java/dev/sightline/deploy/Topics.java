package dev.sightline.deploy;

import dev.sightline.protocol.KafkaClientConfigs;
import dev.sightline.protocol.TopicSetup;
import org.apache.kafka.clients.admin.Admin;

/** Creates Sightline's topics, with the configured partitions and size limit, on whatever cluster we use. */
final class Topics {

    private Topics() {
    }

    static TopicSetup.Result ensure(String bootstrapServers, SightlineConfig config) {
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(bootstrapServers))) {
            return TopicSetup.ensureTopics(admin, config.topicNames(), config.topicSettings());
        }
    }
}
