package io.bitnetstreams.engine.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.engine.model.BatchedForward;
import io.bitnetstreams.engine.model.BatchedForward.Segment;
import io.bitnetstreams.engine.model.BatchedForward.SharedKv;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchedForwardTest {

    private static final BitNetModel MODEL = TinyModel.MODEL;
    private static final int VOCAB = MODEL.config().vocabSize();

    private static int[] randomTokens(Random r, int n) {
        int[] t = new int[n];
        Arrays.setAll(t, i -> r.nextInt(256));
        return t;
    }

    @Test
    void batchOfSequencesGivesTheLogitsOfEachSequenceAlone() {
        Random r = new Random(1);
        BatchedForward batched = new BatchedForward(MODEL);
        int sequences = 5;
        int[][] prompts = new int[sequences][];
        KvCache[] own = new KvCache[sequences];
        KvCache[] alone = new KvCache[sequences];
        for (int s = 0; s < sequences; s++) {
            prompts[s] = randomTokens(r, 3 + r.nextInt(20));
            own[s] = MODEL.newCache(64);
            alone[s] = MODEL.newCache(64);
        }
        // step 1: all prompts in one batch, every row's logits
        List<Segment> segments = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
            int[] rows = new int[prompts[s].length];
            Arrays.setAll(rows, i -> i);
            segments.add(new Segment(List.of(), own[s], prompts[s], rows));
        }
        float[][] out = batched.step(segments);
        for (int s = 0; s < sequences; s++) {
            float[] expected = MODEL.forwardAll(alone[s], prompts[s]);
            assertClose(out[s], expected);
        }
        // steps 2..4: one decode token per sequence
        for (int step = 0; step < 3; step++) {
            segments.clear();
            int[] next = randomTokens(r, sequences);
            for (int s = 0; s < sequences; s++) {
                segments.add(new Segment(List.of(), own[s], new int[] {next[s]}, new int[] {0}));
            }
            out = batched.step(segments);
            for (int s = 0; s < sequences; s++) {
                assertClose(out[s], MODEL.forwardLast(alone[s], new int[] {next[s]}));
            }
        }
    }

    @Test
    void sharedReadOnlyPrefixGivesTheSameLogitsAsRecomputingIt() {
        Random r = new Random(2);
        BatchedForward batched = new BatchedForward(MODEL);
        int[] prefix = randomTokens(r, 17);
        KvCache prefixCache = MODEL.newCache(32);
        batched.step(List.of(new Segment(List.of(), prefixCache, prefix, new int[0])));
        List<Segment> forks = new ArrayList<>();
        List<int[]> suffixes = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            int[] suffix = randomTokens(r, 2 + f);
            suffixes.add(suffix);
            int useLength = f == 2 ? 10 : prefix.length; // a leading part of a longer cached prefix
            forks.add(new Segment(List.of(new SharedKv(prefixCache, useLength)), MODEL.newCache(8), suffix,
                    new int[] {suffix.length - 1}));
        }
        float[][] out = batched.step(forks);
        assertThat(prefixCache.length()).as("shared cache untouched").isEqualTo(prefix.length);
        for (int f = 0; f < 3; f++) {
            int useLength = f == 2 ? 10 : prefix.length;
            int[] full = new int[useLength + suffixes.get(f).length];
            System.arraycopy(prefix, 0, full, 0, useLength);
            System.arraycopy(suffixes.get(f), 0, full, useLength, suffixes.get(f).length);
            assertClose(out[f], MODEL.forwardLast(MODEL.newCache(64), full));
        }
    }

    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("logit %d (row %d)", i, i / VOCAB).isCloseTo(expected[i], within(1e-4f));
        }
    }
}
