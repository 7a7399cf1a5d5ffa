/** The {@code bitnet} command line ({@link io.bitnetstreams.engine.cli.BitnetCli}), run by {@code bin/bitnet}. */
package io.bitnetstreams.engine.cli;
