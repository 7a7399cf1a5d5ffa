/**
 * The BitNet b1.58 2B4T chat prompt ({@link io.bitnetstreams.engine.chat.ChatFormat}: control
 * tokens by id only, user text always plain) and stop strings for streamed output
 * ({@link io.bitnetstreams.engine.chat.StopStrings}).
 */
package io.bitnetstreams.engine.chat;
