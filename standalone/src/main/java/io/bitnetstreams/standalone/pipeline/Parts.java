package io.bitnetstreams.standalone.pipeline;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running parts of a stack, closed in reverse start order exactly once, whether by the normal end of a run or
 * by the Ctrl-C shutdown hook (whichever comes first).
 */
public final class Parts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Parts.class);

    private record Named(String name, AutoCloseable part) {
    }

    private final Deque<Named> parts = new ArrayDeque<>();
    private boolean closed;

    /** Adds a started part; if the stack is already closing, closes it at once. */
    public synchronized <T extends AutoCloseable> T add(String name, T part) {
        if (closed) {
            closeQuietly(new Named(name, part));
            throw new IllegalStateException("shutting down");
        }
        parts.push(new Named(name, part));
        return part;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!parts.isEmpty()) {
            closeQuietly(parts.pop());
        }
    }

    private static void closeQuietly(Named named) {
        LOG.info("stopping {}", named.name());
        try {
            named.part().close();
        } catch (Exception e) {
            LOG.warn("stopping {} failed: {}", named.name(), e.toString());
        }
    }
}
