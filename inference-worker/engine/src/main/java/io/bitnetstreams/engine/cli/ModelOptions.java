package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.kernel.ScalarKernels;
import picocli.CommandLine.Option;

/** Options shared by the commands that run the model. */
final class ModelOptions {

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "Compute threads (default: available processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--kernels", paramLabel = "NAME", defaultValue = "in-place",
            description = "Ternary kernels: in-place (reads the mapped file, no copy) or scalar (unpacked reference). Default: ${DEFAULT-VALUE}.")
    String kernels;

    KernelProvider kernelProvider() {
        return switch (kernels) {
            case "in-place" -> new InPlaceKernels();
            case "scalar" -> new ScalarKernels();
            default -> throw new IllegalArgumentException("unknown --kernels '" + kernels + "'; expected in-place or scalar");
        };
    }
}
