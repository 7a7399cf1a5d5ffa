/**
 * Constrained JSON output: {@link io.bitnetstreams.engine.json.JsonSchemaParser} reads the supported
 * JSON Schema subset (object, string, number, integer, boolean, enum, array; required;
 * min/maxLength, min/maxItems, additionalProperties) and rejects anything else with
 * {@link io.bitnetstreams.engine.json.InvalidSchemaException};
 * {@link io.bitnetstreams.engine.json.JsonAutomaton} is the incremental byte-level JSON-and-schema
 * automaton; {@link io.bitnetstreams.engine.json.VocabularyTrie} (one per tokenizer, cached) and
 * {@link io.bitnetstreams.engine.json.TokenMasker} (per schema, memoized per state) give the token
 * mask of each decoding step; {@link io.bitnetstreams.engine.json.PartialJson} closes a truncated
 * output into valid JSON; {@link io.bitnetstreams.engine.json.SchemaValidator} checks documents.
 */
package io.bitnetstreams.engine.json;
