package io.bitnetstreams.chaos.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free loopback ports for the processes that must keep their address across restarts (brokers, controllers, the
 * registry): asked from the OS (port 0) once, then reused on every restart. Never hands out a port twice.
 */
public final class Ports {

    private final Set<Integer> handedOut = new HashSet<>();

    public synchronized int free() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                int port = socket.getLocalPort();
                if (handedOut.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no new free port after 50 attempts");
    }
}
