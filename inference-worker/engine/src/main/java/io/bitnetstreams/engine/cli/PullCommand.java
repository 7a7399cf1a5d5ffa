package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.download.DownloadConfig;
import io.bitnetstreams.engine.download.DownloadException;
import io.bitnetstreams.engine.download.DownloadListener;
import io.bitnetstreams.engine.download.ModelDownloader;
import io.bitnetstreams.engine.download.ModelSource;
import io.bitnetstreams.engine.download.Sleeper;
import io.bitnetstreams.engine.download.TextProgressBar;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet pull}: downloads a model file (resumable, optionally verified) and prints its path. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Downloads a model file (resuming an interrupted download, verifying its SHA-256 when"
                + " given) and prints its local path. SOURCE is an http(s) URL or hf:OWNER/REPO/FILE[@REVISION];"
                + " the default is the official BitNet b1.58 2B4T GGUF. A Hugging Face token is taken from"
                + " HF_TOKEN when set.")
public final class PullCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SOURCE",
            description = "URL or hf:OWNER/REPO/FILE[@REVISION] (default: ${DEFAULT-VALUE})",
            defaultValue = ModelSource.DEFAULT_SPEC)
    private String source;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "Directory for the model (default: ~/.cache/bitnet-streams/models)")
    private Path outputDirectory;

    @Option(names = "--sha256", paramLabel = "HEX", description = "Expected SHA-256 of the file (64 hex digits)")
    private String sha256;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
            description = "Attempts without progress before giving up (default: ${DEFAULT-VALUE})")
    private int retries;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar")
    private boolean quiet;

    private final Function<String, String> environment;
    private final Sleeper sleeper;

    public PullCommand() {
        this(System::getenv, Sleeper.SYSTEM);
    }

    /** For tests: a custom environment (HF_TOKEN) and wait between retries. */
    public PullCommand(Function<String, String> environment, Sleeper sleeper) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelSource modelSource;
        DownloadConfig config;
        String expectedSha256;
        try {
            modelSource = ModelSource.parse(source);
            DownloadConfig defaults = DownloadConfig.fromEnvironment(environment);
            config = defaults
                    .withDirectory(outputDirectory == null ? defaults.directory() : outputDirectory)
                    .withRetries(retries, defaults.initialBackoff(), defaults.maxBackoff());
            expectedSha256 = ModelDownloader.normalizeSha256(sha256);
        } catch (IllegalArgumentException e) {
            err.println("pull: " + e.getMessage());
            return 1;
        }
        DownloadListener listener = quiet ? DownloadListener.NONE : new TextProgressBar(err);
        try (ModelDownloader downloader = new ModelDownloader(config, sleeper)) {
            Path file = downloader.download(modelSource, expectedSha256, listener);
            out.println(file.toAbsolutePath());
            out.flush();
            return 0;
        } catch (DownloadException e) {
            err.println("pull: " + e.getMessage());
        } catch (IOException e) {
            err.println("pull: I/O error: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("pull: interrupted; run again to resume");
        }
        err.flush();
        return 1;
    }
}
