package io.bitnetstreams.contract.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The configuration options every command that talks to a cluster shares ({@code @Mixin}): {@code --config FILE}
 * and repeatable {@code --set KEY=VALUE}, read by the one loader. {@link #document} adds the rule and the known
 * keys to the command's {@code --help}.
 */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file: bitnet.* keys and Kafka client / Streams / schema.registry.* properties"
                    + " (default: the file named by BITNET_CONFIG).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any key, wins over the file and the environment (repeatable), e.g. --set linger.ms=5.")
    Map<String, String> settings = new LinkedHashMap<>();

    public Path file() {
        return file;
    }

    /** The {@code --set} entries with the command's own options (non-null values) laid over them. */
    public Map<String, String> overrides(Map<String, ?> options) {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        options.forEach((key, value) -> {
            if (value != null) {
                overrides.put(key, value.toString());
            }
        });
        return overrides;
    }

    /** Adds how configuration is read, and the keys of {@code known}, to the command's help footer. */
    public static void document(CommandLine command, KnownKeys known) {
        List<String> footer = new ArrayList<>(List.of(command.getCommandSpec().usageMessage().footer()));
        footer.addAll(helpLines(known));
        command.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
    }

    /** The help text: sources, environment rule, keys; lines fit the 80 columns picocli wraps at. */
    public static List<String> helpLines(KnownKeys known) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Configuration: the --config file, then the environment, then options and");
        lines.add("--set (later wins). Environment variables:");
        lines.add("  BITNET_<NAME>          -> bitnet.<name>   (BITNET_CHUNK_TOKENS)");
        lines.add("  KAFKA_<NAME>           -> <name>          (KAFKA_SASL_JAAS_CONFIG)");
        lines.add("  SCHEMA_REGISTRY_<NAME> -> schema.registry.<name> (SCHEMA_REGISTRY_URL)");
        lines.add("  in <NAME>, _ is '.', __ is '_' and ___ is '-'.");
        lines.add("Keys outside bitnet.* reach the Kafka clients and serdes verbatim; an");
        lines.add("unknown bitnet.* key is an error. Secrets never appear in logs.");
        lines.add(known.application() + " keys:");
        StringBuilder line = new StringBuilder(" ");
        for (String key : known.sorted()) {
            if (line.length() + key.length() + 1 > 76) {
                lines.add(line.toString());
                line = new StringBuilder(" ");
            }
            line.append(' ').append(key);
        }
        lines.add(line.toString());
        return lines;
    }
}
