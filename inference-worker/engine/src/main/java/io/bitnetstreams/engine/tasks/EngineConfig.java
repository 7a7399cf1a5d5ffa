package io.bitnetstreams.engine.tasks;

/**
 * Engine limits.
 *
 * @param kvPoolBytes       KV-cache memory all running requests may reserve together; a request reserves its
 *                          largest length times {@link io.bitnetstreams.engine.model.KvCache#bytesPerToken} (F16
 *                          keys and values of every layer: 75 KiB per token for the 2B4T shape, so the default
 *                          2 GiB holds about 27,900 tokens, e.g. 27 sequences of 1024)
 * @param maxQueued         requests that may wait for pool memory; more are rejected (QUEUE_FULL)
 * @param stepTokenBudget   tokens (prompt chunks plus decode tokens) one batched step may run
 * @param prefixCacheBytes  KV-cache memory kept for shared prompt prefixes (LRU); 0 disables reuse
 * @param maxLabels         labels one classification request may have
 */
public record EngineConfig(long kvPoolBytes, int maxQueued, int stepTokenBudget, long prefixCacheBytes, int maxLabels) {

    public EngineConfig {
        if (kvPoolBytes < 1) {
            throw new IllegalArgumentException("kvPoolBytes must be positive: " + kvPoolBytes);
        }
        if (maxQueued < 0 || maxQueued > 1_000_000) {
            throw new IllegalArgumentException("maxQueued must be in [0, 1000000]: " + maxQueued);
        }
        if (stepTokenBudget < 1 || stepTokenBudget > 8192) {
            throw new IllegalArgumentException("stepTokenBudget must be in [1, 8192]: " + stepTokenBudget);
        }
        if (prefixCacheBytes < 0) {
            throw new IllegalArgumentException("prefixCacheBytes must not be negative: " + prefixCacheBytes);
        }
        if (maxLabels < 1 || maxLabels > 1024) {
            throw new IllegalArgumentException("maxLabels must be in [1, 1024]: " + maxLabels);
        }
    }

    /** 2 GiB pool, 64 waiting, 256 tokens per step, 256 MiB of cached prefixes, 64 labels. */
    public static EngineConfig defaults() {
        return new EngineConfig(2L << 30, 64, 256, 256L << 20, RequestLimits.MAX_LABELS);
    }

    public EngineConfig withKvPoolBytes(long bytes) {
        return new EngineConfig(bytes, maxQueued, stepTokenBudget, prefixCacheBytes, maxLabels);
    }

    public EngineConfig withMaxQueued(int queued) {
        return new EngineConfig(kvPoolBytes, queued, stepTokenBudget, prefixCacheBytes, maxLabels);
    }

    public EngineConfig withStepTokenBudget(int tokens) {
        return new EngineConfig(kvPoolBytes, maxQueued, tokens, prefixCacheBytes, maxLabels);
    }

    public EngineConfig withPrefixCacheBytes(long bytes) {
        return new EngineConfig(kvPoolBytes, maxQueued, stepTokenBudget, bytes, maxLabels);
    }
}
