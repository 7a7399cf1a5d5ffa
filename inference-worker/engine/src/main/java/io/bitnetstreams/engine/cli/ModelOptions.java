package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.model.LmHeadKind;
import io.bitnetstreams.engine.model.LoadOptions;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by the commands that run the model. */
final class ModelOptions {

    static final int MAX_THREADS = 1024;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "Compute threads (default: available processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--kernels", paramLabel = "NAME", defaultValue = "vector",
            description = "Ternary kernels: vector (lookup tables, repacked weights; width from -Dbitnet.vectorBits,"
                    + " default the widest native), in-place (reads the mapped file, no copy, slow) or scalar"
                    + " (unpacked reference). Default: ${DEFAULT-VALUE}.")
    String kernels;

    @Option(names = "--head", paramLabel = "KIND", defaultValue = "f16",
            description = "LM head: f16 (exact), q8_0 (int8 copy), q4_0 (4-bit copy) or q2 (2-bit screening copy, fastest"
                    + " decode); the copies"
                    + " rescore each token's best candidates with the exact rows. Default: ${DEFAULT-VALUE}.")
    String head;

    @Option(names = "--repack-cache", paramLabel = "DIR",
            description = "Directory for repacked weights reused by later loads; 'none' = repack every time"
                    + " (default: ~/.cache/bitnet-streams/repack).")
    String repackCache;

    /** Usage errors (exit code 2) for out-of-range values, before anything is loaded. */
    void validate(CommandLine commandLine) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new CommandLine.ParameterException(commandLine, "--threads must be in [1, " + MAX_THREADS + "]: " + threads);
        }
        if (!Kernels.NAMES.contains(kernels)) {
            throw new CommandLine.ParameterException(commandLine, "--kernels must be vector, in-place or scalar: " + kernels);
        }
        try {
            LmHeadKind.parse(head);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, "--head must be f16, q8_0, q4_0 or q2: " + head);
        }
    }

    KernelProvider kernelProvider() {
        return Kernels.byName(kernels);
    }

    LoadOptions loadOptions() {
        Optional<Path> cache = LoadOptions.cacheDirectory(repackCache);
        // A command answers its first prompt right after loading: let the JIT compile the vector
        // kernels on small inputs meanwhile (measured on 2b4t: first token ~1.2-1.4 s instead of ~2 s
        // without it, as most of the first prompt otherwise runs in the interpreter or C1).
        return new LoadOptions(LmHeadKind.parse(head), cache, LoadOptions.FIRST_PROMPT_WARM_UP);
    }
}
