/**
 * Resumable, verified model downloads behind {@code bitnet pull}:
 * {@link io.bitnetstreams.engine.download.ModelSource} (URL or {@code hf:OWNER/REPO/FILE[@REV]}),
 * {@link io.bitnetstreams.engine.download.DownloadConfig},
 * {@link io.bitnetstreams.engine.download.ModelDownloader} and a text progress bar.
 */
package io.bitnetstreams.engine.download;
