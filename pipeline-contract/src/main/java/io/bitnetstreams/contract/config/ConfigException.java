package io.bitnetstreams.contract.config;

/** Configuration that cannot be used; the message names the offending key (never a secret's value). */
public class ConfigException extends IllegalArgumentException {

    private final String key;

    public ConfigException(String key, String problem) {
        super("invalid configuration '" + key + "': " + problem);
        this.key = key;
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }
}
