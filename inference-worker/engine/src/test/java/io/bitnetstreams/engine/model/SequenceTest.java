package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.sampling.Sampler;
import io.bitnetstreams.engine.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching, KV cache limits, untrusted ids and generation stops on a tiny model. */
class SequenceTest {

    private static final int[] PROMPT = {256, 84, 104, 101, 32, 99, 97, 116, 32, 115, 97, 116};

    @TempDir
    Path dir;

    private GgufFile file;
    private BitNetModel model;

    @BeforeEach
    void load() {
        file = GgufFile.open(TestModels.write(dir, "seq", TestModels.spec(2, 4, 1, null, GgmlType.I2_S, 77)));
        model = BitNetModel.load(file, new InPlaceKernels(), ComputePool.singleThreaded());
    }

    @AfterEach
    void close() {
        file.close();
    }

    @Test
    void promptsLongerThanOneBatchGiveTheSameLogits() {
        float[] oneBatch = model.forwardAll(model.newCache(PROMPT.length), PROMPT);
        float[] batchesOfFive = model.withMaxBatch(5).forwardAll(model.newCache(PROMPT.length), PROMPT);
        assertThat(batchesOfFive).containsExactly(oneBatch);
        int vocab = model.config().vocabSize();
        float[] tail = model.withMaxBatch(3).forward(model.newCache(PROMPT.length), PROMPT, 7);
        assertThat(tail).hasSize((PROMPT.length - 7) * vocab);
        for (int i = 0; i < tail.length; i++) {
            assertThat(tail[i]).isEqualTo(oneBatch[7 * vocab + i]);
        }
    }

    @Test
    void theCacheGrowsLazilyAndRefusesToOverflow() {
        KvCache cache = model.newCache(4096);
        assertThat(cache.allocatedBytes()).isZero();
        model.forwardLast(cache, PROMPT);
        assertThat(cache.length()).isEqualTo(PROMPT.length);
        assertThat(cache.capacity()).isEqualTo(64);
        // 2 layers x (K + V) x 64 tokens x kv dim 64 x 2 bytes (F16)
        assertThat(cache.allocatedBytes()).isEqualTo(2L * 2 * 64 * 64 * 2);
        // what the scheduler's KV pool and the prefix cache charge per token is what the cache allocates
        assertThat(new BatchedForward(model).bytesPerToken() * cache.capacity()).isEqualTo(cache.allocatedBytes());
        KvCache small = model.newCache(PROMPT.length + 1);
        model.forwardLast(small, PROMPT);
        model.forwardLast(small, new int[] {1});
        assertThatThrownBy(() -> model.forwardLast(small, new int[] {2}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("context full");
        small.clear();
        assertThat(model.forwardLast(small, PROMPT)).hasSize(261);
    }

    @Test
    void concurrentSequencesOnOneModelDoNotInterfere() throws Exception {
        int[] other = {256, 65, 66, 67, 68, 69};
        float[] expectedA = model.forwardAll(model.newCache(PROMPT.length), PROMPT);
        float[] expectedB = model.forwardAll(model.newCache(other.length), other);
        try (var executor = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var a = executor.submit(() -> model.forwardAll(model.newCache(PROMPT.length), PROMPT));
            var b = executor.submit(() -> model.forwardAll(model.newCache(other.length), other));
            assertThat(a.get()).containsExactly(expectedA);
            assertThat(b.get()).containsExactly(expectedB);
        }
    }

    @Test
    void untrustedIdsAreRejectedClearly() {
        KvCache cache = model.newCache(8);
        assertThatThrownBy(() -> model.forwardLast(cache, new int[] {1, 261}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 261");
        assertThatThrownBy(() -> model.forwardLast(cache, new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id -1");
        assertThatThrownBy(() -> model.forwardLast(cache, new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThat(cache.length()).isZero();
    }

    @Test
    void greedyGenerationFollowsTheArgmaxAndStopsOnStopIds() {
        Generator generator = new Generator(model);
        Generator.Result free = generator.generate(PROMPT, 5, new Sampler(SamplingParams.greedy()), Set.of(),
                model.newCache(64), id -> true);
        assertThat(free.ids()).hasSize(5);
        assertThat(free.stopReason()).isEqualTo(Generator.StopReason.MAX_TOKENS);
        float[] logits = model.forwardLast(model.newCache(64), PROMPT);
        assertThat(free.ids()[0]).isEqualTo(ModelMath.argmax(logits, 0, logits.length));

        Generator.Result stopped = generator.generate(PROMPT, 5, new Sampler(SamplingParams.greedy()),
                Set.of(free.ids()[2]), model.newCache(64), id -> true);
        int firstStop = free.ids()[0] == free.ids()[2] ? 0 : free.ids()[1] == free.ids()[2] ? 1 : 2;
        assertThat(stopped.ids()).containsExactly(java.util.Arrays.copyOf(free.ids(), firstStop));
        assertThat(stopped.stopReason()).isEqualTo(Generator.StopReason.STOP_TOKEN);

        Generator.Result full = generator.generate(PROMPT, 5, new Sampler(SamplingParams.greedy()), Set.of(),
                model.newCache(PROMPT.length + 2), id -> true);
        assertThat(full.ids()).containsExactly(java.util.Arrays.copyOf(free.ids(), 3));
        assertThat(full.stopReason()).isEqualTo(Generator.StopReason.CONTEXT_FULL);
    }
}
