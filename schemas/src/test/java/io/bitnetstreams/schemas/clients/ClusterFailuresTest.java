package io.bitnetstreams.schemas.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;

class ClusterFailuresTest {

    @Test
    void tlsAndSaslFailuresAreNamedNotReportedAsTimeouts() {
        assertThat(ClusterFailures.describe("b:9093", new ExecutionException(new SslAuthenticationException("SSL handshake failed"))))
                .contains("TLS handshake failed").contains("ssl.truststore").doesNotContain("unreachable");
        assertThat(ClusterFailures.describe("b:9093", new ExecutionException(
                new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"))))
                .contains("refused the credentials").contains("sasl.jaas.config").doesNotContain("unreachable");
        assertThat(ClusterFailures.describe("b:9093", new TimeoutException()))
                .contains("is unreachable").contains("security.protocol").contains("--set");
    }

    @Test
    void anErrorAnswerIsNotReportedAsAnUnreachableCluster() {
        assertThat(ClusterFailures.describe("b:9092", new ExecutionException(
                new org.apache.kafka.common.errors.InvalidReplicationFactorException("Replication factor: 3 larger than available brokers: 1"))))
                .contains("answered with an error").contains("InvalidReplicationFactorException")
                .contains("larger than available brokers").doesNotContain("unreachable");
        assertThat(ClusterFailures.describe("b:9092", new ExecutionException(
                new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("This server does not host this topic-partition."))))
                .contains("answered with an error").doesNotContain("unreachable");
        assertThat(ClusterFailures.describe("b:9092", new ExecutionException(
                new org.apache.kafka.common.errors.TimeoutException("Timed out waiting for a node assignment."))))
                .contains("is unreachable");
    }

    @Test
    void refusalsAreTheFailuresThatWaitingDoesNotHeal() {
        assertThat(ClusterFailures.isRefusal(new ExecutionException(new SslAuthenticationException("SSL handshake failed"))))
                .isTrue();
        assertThat(ClusterFailures.isRefusal(new ExecutionException(new SaslAuthenticationException("bad")))).isTrue();
        assertThat(ClusterFailures.isRefusal(new ExecutionException(
                new org.apache.kafka.common.errors.TopicAuthorizationException("denied")))).isTrue();
        assertThat(ClusterFailures.isRefusal(new ExecutionException(
                new org.apache.kafka.common.errors.TimeoutException("no answer")))).isFalse();
        assertThat(ClusterFailures.isRefusal(new TimeoutException())).isFalse();
    }
}
