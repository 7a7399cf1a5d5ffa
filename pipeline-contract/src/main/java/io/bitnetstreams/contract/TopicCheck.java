package io.bitnetstreams.contract;

import io.bitnetstreams.schemas.clients.ClusterFailures;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start that the topics a part reads or writes exist, so a part never writes into a topic nobody
 * created (or gets it auto-created with the broker's defaults). The topology creates every pipeline topic; a
 * worker or client started before it waits up to {@code wait} for them, then fails naming what is missing.
 */
public final class TopicCheck {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCheck.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private TopicCheck() {}

    /** A topic the part needs does not exist (or the cluster did not answer); the message says which and why. */
    public static final class MissingTopicsException extends RuntimeException {
        private final List<String> missing;

        MissingTopicsException(String message, List<String> missing, Throwable cause) {
            super(message, cause);
            this.missing = List.copyOf(missing);
        }

        /** The topics that were missing at the last look (empty when the cluster never answered). */
        public List<String> missing() {
            return missing;
        }
    }

    /**
     * Returns once every topic of {@code topics} exists; waits up to {@code wait} (zero: one look) for a topology
     * that is still creating them. {@code clientConfig}: the part's Kafka client properties (non-admin keys are
     * dropped).
     */
    public static void requireExisting(Map<String, ?> clientConfig, Collection<String> topics, Duration wait) {
        Map<String, Object> adminConfig = new HashMap<>(clientConfig);
        adminConfig.keySet().retainAll(AdminClientConfig.configNames());
        // a TLS handshake plus a SCRAM exchange from a cold JVM on a busy machine can take longer than 15 s
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        // a refused login or handshake stays the admin's answer: re-bootstrapping would replace it with a bare
        // "timed out waiting for a node" under load
        adminConfig.putIfAbsent(AdminClientConfig.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> missing = List.copyOf(topics);
        Exception lastError = null;
        Admin admin = Admin.create(adminConfig);
        try {
            while (true) {
                try {
                    Set<String> existing = topicNames(admin);
                    missing = topics.stream().filter(topic -> !existing.contains(topic)).distinct().toList();
                    lastError = null;
                    if (missing.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                    if (ClusterFailures.isRefusal(e)) {
                        break; // wrong credentials, trust or ACLs do not heal by waiting
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                LOG.info("waiting for topics {} (the topology creates them)", lastError == null ? missing : topics);
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MissingTopicsException("interrupted while checking topics " + topics, missing, e);
        } finally {
            // bounded: after a refused handshake the admin keeps re-bootstrapping, and an unbounded close waits for that
            admin.close(Duration.ofSeconds(2));
        }
        Object servers = clientConfig.get("bootstrap.servers");
        if (lastError != null) {
            throw new MissingTopicsException("cannot list the topics: " + ClusterFailures.describe(String.valueOf(servers),
                    lastError), List.of(), lastError);
        }
        throw new MissingTopicsException("topics " + missing + " do not exist on " + servers + " (waited " + wait
                + "): start the topology first (it creates every pipeline topic), or create them, or set the"
                + " bitnet.topic.* keys to the topics in use", missing, null);
    }

    /**
     * The topic names. A first call from a new client can time out ("waiting for a node assignment") although the
     * cluster already refused the login or the TLS handshake; the admin knows that by then, so after such a timeout
     * one short second call names the refusal instead.
     */
    private static Set<String> topicNames(Admin admin) throws ExecutionException, TimeoutException,
            InterruptedException {
        try {
            // longer than the admin's own timeout: only its failure carries the cause
            return admin.listTopics().names().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException first) {
            if (ClusterFailures.isRefusal(first)) {
                throw first;
            }
            try {
                return admin.listTopics(new ListTopicsOptions().timeoutMs(5_000)).names().get(20, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException second) {
                if (ClusterFailures.isRefusal(second)) {
                    throw second;
                }
                throw first;
            }
        }
    }
}
