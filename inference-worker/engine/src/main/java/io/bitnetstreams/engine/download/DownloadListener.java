package io.bitnetstreams.engine.download;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Progress of a {@link ModelDownloader#download}; called on the downloading thread. */
public interface DownloadListener {

    DownloadListener NONE = new DownloadListener() { };

    /** A request got a body; {@code resumedBytes} are already on disk, {@code totalBytes} is -1 when unknown. */
    default void started(URI uri, long resumedBytes, long totalBytes) { }

    /** {@code bytes} of {@code totalBytes} (-1 = unknown) are now on disk. */
    default void progress(long bytes, long totalBytes) { }

    /** An attempt failed and another follows after {@code wait}. */
    default void retrying(int retry, Duration wait, String reason) { }

    /** The complete file is being checked against its SHA-256. */
    default void verifying(long bytes) { }

    /** The final file is in place. */
    default void finished(Path file, long bytes) { }
}
