package io.bitnetstreams.worker.config;

import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.model.LmHeadKind;
import io.bitnetstreams.engine.model.LoadOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the worker loads the model.
 *
 * @param kernels     {@code bitnet.engine.kernels}: vector (default; lookup tables on repacked weights),
 *                    in-place or scalar (see {@link Kernels#byName})
 * @param head        {@code bitnet.engine.head}: f16 (exact, default), q8_0 (int8 copy), q4_0 (4-bit copy) or q2 (2-bit screening copy, fastest decode)
 * @param repackCache {@code bitnet.engine.repack.cache}: directory for the repacked weights reused by later
 *                    loads and by other workers on the node (default: the engine's cache directory;
 *                    {@code none} repacks at every start)
 */
public record EngineSettings(String kernels, LmHeadKind head, Optional<Path> repackCache) {

    public EngineSettings {
        if (kernels == null || !Kernels.NAMES.contains(kernels)) {
            throw new ConfigException("bitnet.engine.kernels", "must be one of " + Kernels.NAMES + ", was '" + kernels + "'");
        }
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(repackCache, "repackCache");
    }

    public static EngineSettings defaults() {
        return new EngineSettings("vector", LmHeadKind.F16, LoadOptions.cacheDirectory(null));
    }

    /** Parses the three keys' values; null means the default. */
    static EngineSettings parse(String kernels, String head, String repackCache) {
        EngineSettings defaults = defaults();
        LmHeadKind headKind;
        try {
            headKind = head == null ? defaults.head() : LmHeadKind.parse(head);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bitnet.engine.head", "must be f16, q8_0, q4_0 or q2, was '" + head + "'");
        }
        return new EngineSettings(kernels == null ? defaults.kernels() : kernels, headKind,
                LoadOptions.cacheDirectory(repackCache));
    }

    /** The engine's load options; the kernels are warmed up during the load so first requests run compiled code. */
    public LoadOptions loadOptions() {
        return new LoadOptions(head, repackCache, LoadOptions.FIRST_PROMPT_WARM_UP);
    }
}
