package io.bitnetstreams.standalone.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Our INFO logs would tear the progress bar apart: commands with their own output keep only warnings. */
final class Logging {

    private Logging() {
    }

    /** Warnings only for {@code io.bitnetstreams}, unless BITNET_LOG_LEVEL asks otherwise or {@code verbose}. */
    static void quiet(boolean verbose) {
        if (verbose || System.getenv("BITNET_LOG_LEVEL") != null) {
            return;
        }
        try {
            Configurator.setLevel("io.bitnetstreams", Level.WARN);
        } catch (RuntimeException | LinkageError e) {
            // another logging backend: keep its levels
        }
    }
}
