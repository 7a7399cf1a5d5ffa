package io.bitnetstreams.launcher.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Our INFO logs (and Kafka's start-up warnings) would tear the progress bar apart: commands with their own output
 * keep only our warnings and Kafka's errors.
 */
public final class Logging {

    private Logging() {
    }

    /** Warnings only for {@code io.bitnetstreams}, unless BITNET_LOG_LEVEL asks otherwise or {@code verbose}. */
    public static void quiet(boolean verbose) {
        if (verbose || System.getenv("BITNET_LOG_LEVEL") != null) {
            return;
        }
        try {
            Configurator.setLevel("io.bitnetstreams", Level.WARN);
            // a synthetic byte-level vocabulary has no pre-tokenizer name; that is expected here
            Configurator.setLevel("io.bitnetstreams.engine.tokenizer.Llama3Tokenizer", Level.ERROR);
            // download retries are already on the progress bar
            Configurator.setLevel("io.bitnetstreams.engine.download.ModelDownloader", Level.ERROR);
            for (String kafka : new String[] {"org.apache.kafka", "kafka", "state.change.logger"}) {
                Configurator.setLevel(kafka, Level.ERROR);
            }
        } catch (RuntimeException | LinkageError e) {
            // another logging backend: keep its levels
        }
    }
}
