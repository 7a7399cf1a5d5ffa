package io.bitnetstreams.devstack.junit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables a test only when a Docker engine answers {@code GET /_ping}, on {@code DOCKER_HOST}
 * (unix:// or tcp://) or on the default socket. The answer is computed once per JVM.
 */
public final class DockerAvailableCondition implements ExecutionCondition {

    private static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");
    private static final int TIMEOUT_MILLIS = 2_000;

    private static volatile String unavailableReason;
    private static volatile boolean probed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = reasonDockerIsUnavailable();
        return reason == null
                ? ConditionEvaluationResult.enabled("a Docker engine answers")
                : ConditionEvaluationResult.disabled("no Docker engine: " + reason);
    }

    /** Null when Docker answers, otherwise why not. */
    public static synchronized String reasonDockerIsUnavailable() {
        if (!probed) {
            unavailableReason = probe(System.getenv("DOCKER_HOST"));
            probed = true;
        }
        return unavailableReason;
    }

    static String probe(String dockerHost) {
        try {
            if (dockerHost == null || dockerHost.isBlank()) {
                return pingUnixSocket(DEFAULT_SOCKET);
            }
            URI uri = URI.create(dockerHost);
            return switch (uri.getScheme()) {
                case "unix" -> pingUnixSocket(Path.of(uri.getPath()));
                case "tcp" -> pingTcp(uri.getHost(), uri.getPort());
                default -> "unsupported DOCKER_HOST scheme: " + dockerHost;
            };
        } catch (IllegalArgumentException e) {
            return "malformed DOCKER_HOST '" + dockerHost + "': " + e.getMessage();
        }
    }

    private static String pingUnixSocket(Path socket) {
        if (!Files.exists(socket)) {
            return socket + " does not exist";
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(pingRequest()));
            ByteBuffer reply = ByteBuffer.allocate(64);
            channel.read(reply);
            return isOk(new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII))
                    ? null : "the engine at " + socket + " did not answer the ping with 200";
        } catch (IOException e) {
            return "cannot talk to " + socket + ": " + e.getMessage();
        }
    }

    private static String pingTcp(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getOutputStream().write(pingRequest());
            byte[] reply = socket.getInputStream().readNBytes(12);
            return isOk(new String(reply, StandardCharsets.US_ASCII))
                    ? null : "the engine at " + host + ":" + port + " did not answer the ping with 200";
        } catch (IOException e) {
            return "cannot reach " + host + ":" + port + ": " + e.getMessage();
        }
    }

    private static byte[] pingRequest() {
        return "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isOk(String statusLine) {
        return statusLine.startsWith("HTTP/1.") && statusLine.length() >= 12
                && statusLine.substring(9, 12).equals("200");
    }
}
