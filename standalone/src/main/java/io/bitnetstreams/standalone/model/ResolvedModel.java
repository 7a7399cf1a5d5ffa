package io.bitnetstreams.standalone.model;

import java.nio.file.Path;
import java.util.Objects;

/** The model file a run uses and where it came from. */
public record ResolvedModel(Path path, Origin origin) {

    public enum Origin {
        /** --model PATH. */
        GIVEN,
        /** The official file found in the model cache. */
        CACHED,
        /** The official file, downloaded just now. */
        DOWNLOADED,
        /** A synthetic model of the real architecture with random weights: outputs are meaningless. */
        SYNTHETIC
    }

    public ResolvedModel {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(origin, "origin");
    }

    public boolean synthetic() {
        return origin == Origin.SYNTHETIC;
    }
}
