package io.bitnetstreams.topology.processors;

/**
 * A decoded value travelling with the bytes it was decoded from, so that any later stage can still dead-letter
 * the record exactly as it was read.
 */
public record Envelope<T>(T value, byte[] rawKey, byte[] rawValue) {}
