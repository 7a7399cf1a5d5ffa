package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
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

    static LoadedModel open(Path path, int threads, KernelProvider kernels) {
        long start = System.nanoTime();
        GgufFile file = GgufFile.open(path);
        long opened = System.nanoTime();
        ComputePool pool = null;
        try {
            pool = new ComputePool(threads);
            BitNetModel model = BitNetModel.load(file, kernels, pool);
            long loaded = System.nanoTime();
            Vocabulary vocabulary = GgufTokenizers.vocabulary(file.metadata());
            Tokenizer tokenizer = Llama3Tokenizer.create(vocabulary, GgufTokenizers.preTokenizer(file.metadata()));
            // Parsing the vocabulary leaves ~100 MB of garbage behind; collecting it now, before the
            // mapped weights become resident, lets the heap shrink and keeps the peak footprint near the file size.
            long tokenized = System.nanoTime();
            System.gc();
            long end = System.nanoTime();
            LOG.info("load: {} ms (GGUF open {} ms, model {} ms, tokenizer {} ms, gc {} ms)", ms(end - start),
                    ms(opened - start), ms(loaded - opened), ms(tokenized - loaded), ms(end - tokenized));
            return new LoadedModel(file, pool, model, tokenizer, vocabulary, GgufTokenizers.addBos(file.metadata()));
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            file.close();
            throw e;
        }
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
