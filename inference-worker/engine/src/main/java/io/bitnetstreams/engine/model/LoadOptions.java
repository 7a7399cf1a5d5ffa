package io.bitnetstreams.engine.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link BitNetModel#load(io.bitnetstreams.engine.gguf.GgufFile, io.bitnetstreams.engine.kernel.KernelProvider,
 * io.bitnetstreams.engine.kernel.ComputePool, LoadOptions)} prepares the weights.
 *
 * @param head         the LM head to build
 * @param repackCache  directory for repacked weights (vector kernels, q8 head) reused by later loads;
 *                     empty = repack on every load and keep nothing on disk
 * @param kernelWarmUp at most how long the vector kernels run on small inputs on a side thread while
 *                     the weights load, so the JIT has compiled them before the first prompt; it ends
 *                     earlier once they run compiled (zero = none; at most a minute). Commands that
 *                     answer a first prompt right away want about a second.
 */
public record LoadOptions(LmHeadKind head, Optional<Path> repackCache, Duration kernelWarmUp) {

    public static final Duration MAX_WARM_UP = Duration.ofMinutes(1);
    /**
     * The warm-up for a process that answers prompts right after loading (the CLI, a worker): an upper
     * bound, it ends as soon as the kernels run compiled (about 0.6-0.9 s on 2b4t, 2 busy cores).
     */
    public static final Duration FIRST_PROMPT_WARM_UP = Duration.ofMillis(1200);

    public LoadOptions {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(repackCache, "repackCache");
        Objects.requireNonNull(kernelWarmUp, "kernelWarmUp");
        if (kernelWarmUp.isNegative() || kernelWarmUp.compareTo(MAX_WARM_UP) > 0) {
            throw new IllegalArgumentException("kernel warm-up must be in [0, 1 min]: " + kernelWarmUp);
        }
    }

    public LoadOptions(LmHeadKind head, Optional<Path> repackCache) {
        this(head, repackCache, Duration.ZERO);
    }

    /** F16 head, no cache directory, no warm-up. */
    public static LoadOptions defaults() {
        return new LoadOptions(LmHeadKind.F16, Optional.empty(), Duration.ZERO);
    }

    /** {@code ~/.cache/bitnet-streams/repack} (or {@code $XDG_CACHE_HOME/bitnet-streams/repack}). */
    public static Path defaultCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("bitnet-streams").resolve("repack");
    }

    /**
     * The repack cache directory a user asked for: null means the default directory, {@code none} (or
     * blank) means no cache, anything else is a path.
     */
    public static Optional<Path> cacheDirectory(String setting) {
        if (setting == null) {
            return Optional.of(defaultCacheDirectory());
        }
        return setting.isBlank() || setting.equals("none") ? Optional.empty() : Optional.of(Path.of(setting));
    }

    public LoadOptions withHead(LmHeadKind kind) {
        return new LoadOptions(kind, repackCache, kernelWarmUp);
    }

    public LoadOptions withCache(Path directory) {
        return new LoadOptions(head, Optional.of(directory), kernelWarmUp);
    }

    public LoadOptions withKernelWarmUp(Duration warmUp) {
        return new LoadOptions(head, repackCache, warmUp);
    }
}
