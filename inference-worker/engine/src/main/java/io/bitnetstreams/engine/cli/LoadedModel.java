package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.model.LoadOptions;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An open model file with its model, tokenizer and compute pool; closing releases all three. */
final class LoadedModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    final GgufFile file;
    final ComputePool pool;
    final BitNetModel model;
    final Tokenizer tokenizer;
    final Vocabulary vocabulary;
    final boolean addBos;

    private LoadedModel(GgufFile file, ComputePool pool, BitNetModel model, Tokenizer tokenizer, Vocabulary vocabulary,
                        boolean addBos) {
        this.file = file;
        this.pool = pool;
        this.model = model;
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.addBos = addBos;
    }

    static LoadedModel open(Path path, ModelOptions options) {
        return open(path, options.threads, options.kernelProvider(), options.loadOptions());
    }

    /**
     * Maps the file, then loads the model (with the kernel warm-up on its side thread) while another
     * thread builds the tokenizer from the metadata: the two do not depend on each other.
     */
    static LoadedModel open(Path path, int threads, KernelProvider kernels, LoadOptions loadOptions) {
        long start = System.nanoTime();
        long jvmStartup = millisSinceJvmStart();
        GgufFile file = GgufFile.open(path);
        long opened = System.nanoTime();
        ComputePool pool = null;
        FutureTask<TokenizerParts> tokenizerTask = new FutureTask<>(() -> TokenizerParts.build(file));
        Thread tokenizerThread = Thread.ofPlatform().daemon().name("bitnet-tokenizer").start(tokenizerTask);
        try {
            pool = new ComputePool(threads);
            BitNetModel model = BitNetModel.load(file, kernels, pool, loadOptions);
            long loaded = System.nanoTime();
            TokenizerParts tokenizer = join(tokenizerTask);
            long end = System.nanoTime();
            LOG.info("load: {} ms (GGUF open {} ms, model {} ms, tokenizer {} ms on its own thread, waited {} ms);"
                            + " JVM start to load start {} ms", ms(end - start), ms(opened - start), ms(loaded - opened),
                    tokenizer.millis(), ms(end - loaded), jvmStartup);
            return new LoadedModel(file, pool, model, tokenizer.tokenizer(), tokenizer.vocabulary(),
                    GgufTokenizers.addBos(file.metadata()));
        } catch (RuntimeException e) {
            tokenizerTask.cancel(false);
            joinQuietly(tokenizerThread);
            if (pool != null) {
                pool.close();
            }
            file.close();
            throw e;
        }
    }

    /** The tokenizer and its vocabulary, and how long building them took. */
    private record TokenizerParts(Tokenizer tokenizer, Vocabulary vocabulary, long millis) {
        static TokenizerParts build(GgufFile file) {
            long start = System.nanoTime();
            Vocabulary vocabulary = GgufTokenizers.vocabulary(file.metadata());
            Tokenizer tokenizer = Llama3Tokenizer.create(vocabulary, GgufTokenizers.preTokenizer(file.metadata()));
            return new TokenizerParts(tokenizer, vocabulary, ms(System.nanoTime() - start));
        }
    }

    private static TokenizerParts join(FutureTask<TokenizerParts> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the tokenizer", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("building the tokenizer failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for the tokenizer thread so it never reads the file after it is unmapped. */
    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Time from the JVM's start to now (JVM startup and command-line parsing), or -1 if unknown. */
    private static long millisSinceJvmStart() {
        return ProcessHandle.current().info().startInstant()
                .map(started -> Duration.between(started, Instant.now()).toMillis())
                .orElse(-1L);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** The ids that end generation: EOS and EOT (128001 and 128009 in the Llama 3 vocabulary). */
    Set<Integer> stopIds() {
        Set<Integer> ids = new LinkedHashSet<>();
        for (int id : new int[] {vocabulary.eosId(), vocabulary.eotId(), tokenizer.specialTokenId("<|end_of_text|>"),
                tokenizer.specialTokenId("<|eot_id|>")}) {
            if (id >= 0) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Text tokens with BOS in front when the file asks for it. */
    int[] encodeWithBos(String text) {
        int[] ids = tokenizer.encode(text);
        if (!addBos || vocabulary.bosId() < 0) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = vocabulary.bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    @Override
    public void close() {
        pool.close();
        file.close();
    }
}
