package io.bitnetstreams.engine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Shared input handling of the classify and extract commands (new file, tasks owner). */
final class TaskInput {

    /** Input files larger than this are refused rather than read into memory. */
    static final long MAX_INPUT_BYTES = 4L << 20;

    private TaskInput() {
    }

    /** The future's value; an engine failure surfaces as itself rather than wrapped. */
    static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Exactly one of {@code --text} and {@code --file}. */
    static String text(CommandLine commandLine, String text, Path file) {
        if ((text == null) == (file == null)) {
            throw new CommandLine.ParameterException(commandLine, "give exactly one of --text and --file");
        }
        return text != null ? text : read(commandLine, file, "--file");
    }

    static String read(CommandLine commandLine, Path file, String option) {
        try {
            if (Files.size(file) > MAX_INPUT_BYTES) {
                throw new CommandLine.ParameterException(commandLine, option + " " + file + " is larger than "
                        + MAX_INPUT_BYTES + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(commandLine, "cannot read " + option + " " + file + ": " + e.getMessage());
        }
    }
}
