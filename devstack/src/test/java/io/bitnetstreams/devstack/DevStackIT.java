package io.bitnetstreams.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class DevStackIT {

    @Test
    void startsKafkaAndRegistryTogetherAndStopsBoth() throws Exception {
        DevStack stack = DevStack.start(DevStack.Config.ephemeral());
        long registryPid;
        try (stack) {
            registryPid = stack.registry().pid();
            assertThat(stack.clientProperties())
                    .containsEntry("bootstrap.servers", stack.kafka().bootstrapServers())
                    .containsEntry("schema.registry.url", stack.registry().url());

            try (Admin admin = stack.kafka().createAdmin()) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> subjects = http.send(
                        HttpRequest.newBuilder(URI.create(stack.registry().url() + "/subjects")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(subjects.statusCode()).isEqualTo(200);
                assertThat(subjects.body()).isEqualTo("[]");
            }
        }
        assertThat(stack.kafka().isClosed()).isTrue();
        assertThat(ProcessHandle.of(registryPid).filter(ProcessHandle::isAlive)).isEmpty();
        stack.close(); // idempotent
    }
}
