package io.bitnetstreams.engine.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link BitNetModel#load(io.bitnetstreams.engine.gguf.GgufFile, io.bitnetstreams.engine.kernel.KernelProvider,
 * io.bitnetstreams.engine.kernel.ComputePool, LoadOptions)} prepares the weights.
 *
 * @param head         the LM head to build
 * @param repackCache  directory for repacked weights (vector kernels, q8 head) reused by later loads;
 *                     empty = repack on every load and keep nothing on disk
 */
public record LoadOptions(LmHeadKind head, Optional<Path> repackCache) {

    public LoadOptions {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(repackCache, "repackCache");
    }

    /** F16 head, no cache directory. */
    public static LoadOptions defaults() {
        return new LoadOptions(LmHeadKind.F16, Optional.empty());
    }

    /** {@code ~/.cache/bitnet-streams/repack} (or {@code $XDG_CACHE_HOME/bitnet-streams/repack}). */
    public static Path defaultCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("bitnet-streams").resolve("repack");
    }

    public LoadOptions withHead(LmHeadKind kind) {
        return new LoadOptions(kind, repackCache);
    }

    public LoadOptions withCache(Path directory) {
        return new LoadOptions(head, Optional.of(directory));
    }
}
