package io.bitnetstreams.engine.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code bitnet} command line: inspect, tokenize, generate, perplexity, synth, pull. Results go
 * to stdout, logs to stderr. Exit codes: 0 ok, 1 runtime error (one line on stderr; the stack trace
 * only with {@code --verbose} or {@code BITNET_LOG_LEVEL=DEBUG}), 2 usage error.
 */
@Command(name = "bitnet", mixinStandardHelpOptions = true, version = "bitnet 0.1.0",
        description = "BitNet b1.58 inference engine.",
        subcommands = {InspectCommand.class, TokenizeCommand.class, GenerateCommand.class, PerplexityCommand.class,
                SynthCommand.class, PullCommand.class, CommandLine.HelpCommand.class})
public final class BitnetCli implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_RUNTIME_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI with stdout/stderr and returns the exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** A configured command line; tests set its out/err writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BitnetCli());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean verbose = parseResult.originalArgs().contains("--verbose")
                    || "DEBUG".equalsIgnoreCase(System.getenv("BITNET_LOG_LEVEL"))
                    || "TRACE".equalsIgnoreCase(System.getenv("BITNET_LOG_LEVEL"));
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.println("bitnet " + commandLine.getCommandName() + ": error: " + oneLine(ex));
            err.flush();
            return EXIT_RUNTIME_ERROR;
        });
        return cli;
    }

    static String oneLine(Throwable ex) {
        String message = ex.getMessage();
        if (message == null || message.isBlank()) {
            message = ex.getClass().getSimpleName();
        } else if (ex instanceof java.nio.file.NoSuchFileException) {
            message = "no such file: " + message;
        } else if (ex instanceof java.nio.file.AccessDeniedException) {
            message = "access denied: " + message;
        }
        return message.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: one of inspect, tokenize, generate, perplexity, synth, pull");
    }
}
