package io.bitnetstreams.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.HeadKernels;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.kernel.LmHead;

/**
 * Developer tool (not a test): how often the q8 head's top token equals the exact F16 head's, with
 * and without exact rescoring, on the hidden states of a real forward pass over a text file.
 * Usage: {@code HeadAgreementCheck MODEL.gguf TEXT_FILE CTX CHUNKS}; the text is cut into chunks of
 * CTX tokens, each starting with BOS, and every position of every chunk is compared.
 */
public final class HeadAgreementCheck {

    private HeadAgreementCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path modelPath = Path.of(args[0]);
        String text = Files.readString(Path.of(args[1]));
        int ctx = Integer.parseInt(args[2]);
        int chunks = Integer.parseInt(args[3]);
        try (GgufFile file = GgufFile.open(modelPath); ComputePool pool = new ComputePool(2)) {
            LoadOptions options = new LoadOptions(LmHeadKind.F16, Optional.of(LoadOptions.defaultCacheDirectory()));
            BitNetModel model = BitNetModel.load(file, Kernels.fromSystemProperty(), pool, options);
            int vocab = model.config().vocabSize();
            int dim = model.config().dim();
            GgufTensorInfo info = file.tensor("token_embd.weight");
            LmHead exact = HeadKernels.f16(file.tensorData(info), vocab, dim);
            HeadKernels.Q8Rows q8Rows = RepackCache.q8Head(file, info, vocab, dim, pool, options.repackCache());
            ComparingHead comparing = new ComparingHead(exact, HeadKernels.q8(q8Rows), HeadKernels.q8(q8Rows, exact));
            BitNetModel compared = model.withHead(comparing, LmHeadKind.F16);
            int[] ids = GgufTokenizers.tokenizer(file.metadata()).encode(text);
            int bos = GgufTokenizers.vocabulary(file.metadata()).bosId();
            for (int c = 0; c < chunks && (c + 1) * (ctx - 1) <= ids.length; c++) {
                int[] chunk = new int[ctx];
                chunk[0] = bos;
                System.arraycopy(ids, c * (ctx - 1), chunk, 1, ctx - 1);
                compared.forwardAll(compared.newCache(ctx), chunk);
                System.out.printf("chunk %d: %s%n", c + 1, comparing.summary());
            }
            System.out.printf("total: %s over %s%n", comparing.summary(), modelPath.getFileName());
        }
    }

    /** Returns the exact logits and counts top-1 agreement of the other two heads with them. */
    private static final class ComparingHead implements LmHead {
        private final LmHead exact;
        private final LmHead plain;
        private final LmHead rescored;
        private long positions;
        private long plainAgree;
        private long rescoredAgree;

        ComparingHead(LmHead exact, LmHead plain, LmHead rescored) {
            this.exact = exact;
            this.plain = plain;
            this.rescored = rescored;
        }

        String summary() {
            return String.format("positions %d, q8 top-1 agreement %.2f%%, q8+rescoring %.2f%%", positions,
                    100.0 * plainAgree / positions, 100.0 * rescoredAgree / positions);
        }

        @Override
        public int vocab() {
            return exact.vocab();
        }

        @Override
        public int dim() {
            return exact.dim();
        }

        @Override
        public void logits(float[] x, int tokens, float[] out, ComputePool pool) {
            exact.logits(x, tokens, out, pool);
            int vocab = vocab();
            float[] other = new float[tokens * vocab];
            plain.logits(x, tokens, other, pool);
            float[] other2 = new float[tokens * vocab];
            rescored.logits(x, tokens, other2, pool);
            for (int t = 0; t < tokens; t++) {
                int top = argmax(out, t * vocab, vocab);
                plainAgree += argmax(other, t * vocab, vocab) == top ? 1 : 0;
                rescoredAgree += argmax(other2, t * vocab, vocab) == top ? 1 : 0;
            }
            positions += tokens;
        }

        @Override
        public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
            exact.logitsForRows(rowIds, x, tokens, out, pool);
        }

        private static int argmax(float[] values, int base, int n) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (values[base + i] > values[base + best]) {
                    best = i;
                }
            }
            return best;
        }
    }

}
