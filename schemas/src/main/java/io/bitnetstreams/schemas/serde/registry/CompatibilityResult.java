package io.bitnetstreams.schemas.serde.registry;

import java.util.List;

/** The registry's verdict on a candidate schema, with its explanations when incompatible. */
public record CompatibilityResult(boolean compatible, List<String> messages) {

    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
