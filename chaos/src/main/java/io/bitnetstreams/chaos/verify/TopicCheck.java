package io.bitnetstreams.chaos.verify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Checks what the issue requires of every topic of the pipeline (its own and Kafka Streams' internal ones): three
 * replicas of every partition and {@code min.insync.replicas} 2. Returns the topics that fall short.
 */
public final class TopicCheck {

    private TopicCheck() {
    }

    public static List<String> shortfalls(Map<String, Object> clientConfig, Collection<String> topicPrefixes)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(clientConfig)) {
            List<String> topics = admin.listTopics().names().get(1, TimeUnit.MINUTES).stream()
                    .filter(name -> topicPrefixes.stream().anyMatch(name::startsWith)).sorted().toList();
            if (topics.isEmpty()) {
                problems.add("no topic starts with " + topicPrefixes);
                return problems;
            }
            Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames().get(1, TimeUnit.MINUTES);
            List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(1, TimeUnit.MINUTES);
            for (String topic : topics) {
                descriptions.get(topic).partitions().stream().filter(p -> p.replicas().size() != 3).findFirst()
                        .ifPresent(p -> problems.add(topic + "-" + p.partition() + " has " + p.replicas().size() + " replicas"));
                var minIsr = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
                if (minIsr == null || !"2".equals(minIsr.value())) {
                    problems.add(topic + " has min.insync.replicas " + (minIsr == null ? "?" : minIsr.value()));
                }
            }
        }
        return problems;
    }
}
