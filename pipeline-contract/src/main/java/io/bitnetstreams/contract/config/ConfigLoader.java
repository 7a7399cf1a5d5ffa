package io.bitnetstreams.contract.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The one configuration loader of every part: a properties file, then the environment ({@link EnvironmentRule}),
 * then overrides (command-line options and {@code --set key=value}); a later source wins, and an empty value
 * unsets the key. Without a file argument, {@code BITNET_CONFIG} names the file. Each application then reads its
 * typed record from the {@link ConfigValues} (e.g. {@code TopologyConfig.load}, {@code WorkerConfig.load}).
 */
public final class ConfigLoader {

    /** Environment variable naming the properties file when no {@code --config} is given. */
    public static final String CONFIG_FILE_VARIABLE = "BITNET_CONFIG";

    private ConfigLoader() {}

    /** File (may be null), then environment, then overrides, checked against {@code known}. */
    public static ConfigValues load(KnownKeys known, Path file, Map<String, String> environment,
                                    Map<String, String> overrides) {
        return ConfigValues.of(known, merge(file, environment, overrides));
    }

    /** The flat merge of the three sources, unchecked. */
    public static Map<String, String> merge(Path file, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        Path source = file;
        String fromEnvironment = environment.get(CONFIG_FILE_VARIABLE);
        if (source == null && fromEnvironment != null && !fromEnvironment.isBlank()) {
            source = Path.of(fromEnvironment.strip());
        }
        if (source != null) {
            layer(merged, readFile(source));
        }
        layer(merged, EnvironmentRule.configOf(environment));
        layer(merged, overrides);
        return merged;
    }

    /** A properties file as a map (keys and values trimmed); a clear error when it cannot be read. */
    public static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("config file", "cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted()
                .forEach(key -> map.put(key.strip(), properties.getProperty(key).strip()));
        return map;
    }

    private static void layer(Map<String, String> merged, Map<String, String> source) {
        source.forEach((key, value) -> {
            if (value == null || value.isBlank()) {
                merged.remove(key);
            } else {
                merged.put(key, value);
            }
        });
    }
}
