package io.bitnetstreams.worker.config;

/** Worker configuration that cannot be used; the message names the offending key. */
public final class InvalidConfigException extends RuntimeException {

    private final String key;

    public InvalidConfigException(String key, String problem) {
        super("invalid worker config '" + key + "': " + problem);
        this.key = key;
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }
}
