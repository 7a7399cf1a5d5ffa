package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerplexityTest {

    @TempDir
    Path dir;

    @Test
    void matchesFullChunkLogitsScoredOverTheSecondHalf() {
        int ctx = 132; // scores 65 positions per chunk: two slices of logits
        SplittableRandom random = new SplittableRandom(3);
        int[] tokens = new int[2 * ctx + 37];
        tokens[0] = 256;
        for (int i = 1; i < tokens.length; i++) {
            tokens[i] = random.nextInt(256);
        }
        try (GgufFile file = GgufFile.open(TestModels.write(dir, "ppl", TestModels.spec(1, 4, 2, null, GgmlType.I2_S, 8)))) {
            BitNetModel model = BitNetModel.load(file, new InPlaceKernels(), ComputePool.singleThreaded());
            List<Perplexity.ChunkProgress> progress = new ArrayList<>();
            Perplexity.Result result = Perplexity.compute(model, tokens, ctx, 0, 256, progress::add);

            int vocab = model.config().vocabSize();
            double nll = 0;
            int count = 0;
            for (int c = 0; c < 2; c++) {
                int[] chunk = Arrays.copyOfRange(tokens, c * ctx, (c + 1) * ctx);
                chunk[0] = 256;
                float[] logits = model.forwardAll(model.newCache(ctx), chunk);
                for (int pos = ctx / 2; pos <= ctx - 2; pos++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, logits[pos * vocab + v]);
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(logits[pos * vocab + v] - max);
                    }
                    nll += Math.log(sum) + max - logits[pos * vocab + tokens[c * ctx + pos + 1]];
                    count++;
                }
            }
            assertThat(result.tokensScored()).isEqualTo(count).isEqualTo(2 * 65);
            assertThat(result.chunks()).isEqualTo(2);
            assertThat(result.perplexity()).isCloseTo(Math.exp(nll / count), Percentage.withPercentage(1e-4));
            assertThat(progress).hasSize(2);
            assertThat(progress.get(1).runningPerplexity()).isEqualTo(result.perplexity());

            assertThat(Perplexity.compute(model, tokens, ctx, 1, 256, p -> { }).chunks()).isEqualTo(1);
            assertThatThrownBy(() -> Perplexity.compute(model, Arrays.copyOf(tokens, ctx - 1), ctx, 0, 256, p -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer than one chunk");
        }
    }
}
