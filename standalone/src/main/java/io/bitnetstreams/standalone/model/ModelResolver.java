package io.bitnetstreams.standalone.model;

import io.bitnetstreams.engine.download.DownloadConfig;
import io.bitnetstreams.engine.download.ModelDownloader;
import io.bitnetstreams.engine.download.ModelSource;
import io.bitnetstreams.engine.download.TextProgressBar;
import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Picks the model of a run: {@code --model PATH}; else the official file in the model cache; else a download of the
 * official file (with a progress bar); else, when that fails (offline), a synthetic model of the real architecture
 * ({@code small} shape, byte-level vocabulary) whose outputs are meaningless.
 */
public final class ModelResolver {

    public static final String SYNTHETIC_FILE = "synthetic-small-i2_s-bytes.gguf";
    public static final String SYNTHETIC_WARNING = """
            NOTE: running on a SYNTHETIC model (the real architecture with random weights): its labels, extractions \
            and texts are MEANINGLESS; they only show the pipeline working. Get the real BitNet b1.58 2B4T model \
            (about 1.2 GB) with 'bin/bitnet pull' and run again (or pass --model PATH).""";

    /** What a run asks for. */
    public record Request(Path explicitModel, Path cacheDirectory, boolean download, boolean forceSynthetic) {
    }

    private ModelResolver() {
    }

    public static ResolvedModel resolve(Request request, PrintWriter err) {
        if (request.explicitModel() != null) {
            Path model = request.explicitModel();
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("--model " + model + " is not a file");
            }
            return new ResolvedModel(model, ResolvedModel.Origin.GIVEN);
        }
        Path cache = request.cacheDirectory();
        if (!request.forceSynthetic()) {
            Path official = cache.resolve(ModelSource.defaultModel().fileName());
            if (Files.isRegularFile(official)) {
                return new ResolvedModel(official, ResolvedModel.Origin.CACHED);
            }
            if (request.download()) {
                Path downloaded = tryDownload(cache, err);
                if (downloaded != null) {
                    return new ResolvedModel(downloaded, ResolvedModel.Origin.DOWNLOADED);
                }
            }
        }
        return new ResolvedModel(synthetic(cache, err), ResolvedModel.Origin.SYNTHETIC);
    }

    /** The official model, or null (with the reason printed) when it cannot be fetched. */
    private static Path tryDownload(Path cache, PrintWriter err) {
        ModelSource source = ModelSource.defaultModel();
        err.println("model: the official model is not in " + cache + "; trying to download it (" + source.uri() + ")");
        err.flush();
        DownloadConfig config = DownloadConfig.defaults().withDirectory(cache)
                .withRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(2)).withStallTimeout(Duration.ofSeconds(30));
        try (ModelDownloader downloader = new ModelDownloader(config)) {
            return downloader.download(source, null, new TextProgressBar(err));
        } catch (IOException | RuntimeException e) {
            err.println("model: download failed (" + e.getMessage() + "); using a synthetic model instead");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("model: download interrupted; run again to resume it");
        }
        err.flush();
        return null;
    }

    /** The synthetic model file in the cache, written once (same spec, same bytes). */
    static Path synthetic(Path cache, PrintWriter err) {
        Path file = cache.resolve(SYNTHETIC_FILE);
        if (Files.isRegularFile(file)) {
            return file;
        }
        err.println("model: writing a synthetic model (shape 'small', byte-level vocabulary) to " + file);
        err.flush();
        try {
            Files.createDirectories(cache);
            SyntheticModelWriter.write(SyntheticSpec.preset("small", GgmlType.I2_S, 1), Vocabulary.byteLevel(), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic model to " + file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
