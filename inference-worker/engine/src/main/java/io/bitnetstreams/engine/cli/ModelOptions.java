package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.kernel.ScalarKernels;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by the commands that run the model. */
final class ModelOptions {

    static final int MAX_THREADS = 1024;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "Compute threads (default: available processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--kernels", paramLabel = "NAME", defaultValue = "in-place",
            description = "Ternary kernels: in-place (reads the mapped file, no copy) or scalar (unpacked reference). Default: ${DEFAULT-VALUE}.")
    String kernels;

    /** Usage errors (exit code 2) for out-of-range values, before anything is loaded. */
    void validate(CommandLine commandLine) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new CommandLine.ParameterException(commandLine, "--threads must be in [1, " + MAX_THREADS + "]: " + threads);
        }
        if (!kernels.equals("in-place") && !kernels.equals("scalar")) {
            throw new CommandLine.ParameterException(commandLine, "--kernels must be in-place or scalar: " + kernels);
        }
    }

    KernelProvider kernelProvider() {
        return switch (kernels) {
            case "in-place" -> new InPlaceKernels();
            case "scalar" -> new ScalarKernels();
            default -> throw new IllegalArgumentException("unknown --kernels '" + kernels + "'; expected in-place or scalar");
        };
    }
}
