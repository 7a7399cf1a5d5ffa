package io.bitnetstreams.engine.download;

import java.io.IOException;

/** A download failed for a reason stated in the message (URL, HTTP status, checksum, ...). */
public class DownloadException extends IOException {

    public DownloadException(String message) {
        super(message);
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
