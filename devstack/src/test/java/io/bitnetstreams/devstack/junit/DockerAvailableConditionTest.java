package io.bitnetstreams.devstack.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerAvailableConditionTest {

    @Test
    void missingSocketIsReportedAsUnavailable(@TempDir Path dir) {
        String reason = DockerAvailableCondition.probe("unix://" + dir.resolve("nope.sock"));
        assertThat(reason).contains("does not exist");
    }

    @Test
    void closedTcpPortIsReportedAsUnavailable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(DockerAvailableCondition.probe("tcp://127.0.0.1:" + port)).contains("cannot reach");
    }

    @Test
    void tcpEngineAnsweringPingIsAvailable() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread responder = Thread.ofVirtual().start(() -> {
                try (var client = server.accept()) {
                    client.getInputStream().read(new byte[256]);
                    client.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\nOK".getBytes());
                } catch (IOException ignored) {
                    // the assertion below reports the failure
                }
            });
            assertThat(DockerAvailableCondition.probe("tcp://127.0.0.1:" + server.getLocalPort())).isNull();
            responder.join();
        }
    }

    @Test
    void unknownSchemeIsRejected() {
        assertThat(DockerAvailableCondition.probe("ssh://host")).contains("unsupported");
    }

    /** Runs only with Docker; on machines without it this must show up as skipped, not failed. */
    @Test
    @RequiresDocker
    void runsOnlyWhenDockerAnswers() {
        assertThat(DockerAvailableCondition.reasonDockerIsUnavailable()).isNull();
    }
}
