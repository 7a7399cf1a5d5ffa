package io.bitnetstreams.standalone.pipeline;

import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.model.BitNetConfig;
import io.bitnetstreams.topology.app.Tokenizers;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Starts the Kafka Streams topology for a model: its tokenizer counts tokens, its context bounds the chunks. */
public final class TopologyPart {

    private TopologyPart() {
    }

    /** The topology settings of a standalone run without settings of the user's. */
    public static TopologyConfig config(Infrastructure infrastructure, int contextTokens, int httpPort, Path stateDir) {
        return config(infrastructure, contextTokens, httpPort, stateDir, Map.of());
    }

    /**
     * The topology settings of a standalone run: defaults sized for the model, then the user's {@code userSettings}
     * (topology keys and passthrough keys; the load test's hook too), then the stack's address and port.
     */
    public static TopologyConfig config(Infrastructure infrastructure, int contextTokens, int httpPort, Path stateDir,
                                        Map<String, String> userSettings) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bitnet.context.tokens", Integer.toString(contextTokens));
        settings.put("bitnet.chunk.tokens", Integer.toString(Math.max(16, Math.min(1024, contextTokens / 2))));
        settings.put("bitnet.chunk.overlap", Integer.toString(Math.max(0, Math.min(64, contextTokens / 32))));
        settings.put("state.dir", stateDir.toAbsolutePath().toString());
        userSettings.forEach((key, value) -> {
            if (!key.startsWith(ConfigValues.PREFIX) || TopologyConfig.KEYS.contains(key)) {
                settings.put(key, value);
            }
        });
        settings.put(TopologyConfig.BOOTSTRAP_SERVERS, infrastructure.bootstrapServers());
        settings.put(TopologyConfig.SCHEMA_REGISTRY_URL, infrastructure.registryUrl());
        settings.put("bitnet.http.port", Integer.toString(httpPort));
        return TopologyConfig.fromMap(settings);
    }

    /** The trained context of the model file (metadata only; no weights are read). */
    public static int contextTokens(Path model) {
        try (GgufFile file = GgufFile.open(model)) {
            return BitNetConfig.fromMetadata(file.metadata()).contextLength();
        }
    }

    public static TopologyApp start(TopologyConfig config, Path model) {
        return TopologyApp.start(config, Tokenizers.load(model));
    }
}
