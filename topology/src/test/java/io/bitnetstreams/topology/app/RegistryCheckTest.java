package io.bitnetstreams.topology.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryCheckTest {

    @Test
    void anUnreachableRegistryIsNamedWithoutItsPassword() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://alice:s3cret@127.0.0.1:" + closedPort + "/apis/ccompat/v7";
        assertThatThrownBy(() -> RegistryCheck.requireReachable(Map.of("schema.registry.url", url,
                "bitnet.schema.registry.max.retries", "0")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("unreachable")
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aMalformedRegistryUrlIsNamedWithoutItsPassword() {
        assertThatThrownBy(() -> RegistryCheck.requireReachable(Map.of("schema.registry.url", "htp://alice:s3cret@host/")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("alice:***@host")
                .hasMessageNotContaining("s3cret");
    }
}
