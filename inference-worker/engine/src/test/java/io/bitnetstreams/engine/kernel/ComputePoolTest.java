package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class ComputePoolTest {

    @Test
    void coversTheRangeExactlyOnceOverManyDispatches() {
        try (ComputePool pool = new ComputePool(3)) {
            for (int round = 0; round < 2000; round++) {
                int n = 1 + round % 37;
                AtomicIntegerArray hits = new AtomicIntegerArray(n + 5);
                pool.parallelFor(5, 5 + n, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n + 5; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(i < 5 ? 0 : 1);
                }
            }
        }
    }

    /** Slice 0 waits for slice 1, so the two must run on two threads: the caller and the worker. */
    @Test
    void runsSlicesOnDedicatedThreadsNotTheCommonPool() {
        try (ComputePool pool = new ComputePool(2)) {
            for (int round = 0; round < 20; round++) {
                CountDownLatch secondSliceRan = new CountDownLatch(1);
                String[] names = new String[2];
                boolean[] waited = new boolean[1];
                pool.parallelFor(0, 2, (from, to) -> {
                    names[from] = Thread.currentThread().getName();
                    if (from == 0) {
                        waited[0] = await(secondSliceRan);
                    } else {
                        secondSliceRan.countDown();
                    }
                });
                assertThat(waited[0]).isTrue();
                assertThat(names).containsExactlyInAnyOrder(Thread.currentThread().getName(), "bitnet-compute-1");
            }
        }
    }

    @Test
    void chunkedLoopsCoverTheRangeExactlyOnce() {
        try (ComputePool pool = new ComputePool(2)) {
            for (int round = 0; round < 500; round++) {
                int n = 1 + round % 53;
                int chunks = 1 + round % 11;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                AtomicInteger calls = new AtomicInteger();
                pool.parallelForChunks(0, n, chunks, (from, to) -> {
                    calls.incrementAndGet();
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(1);
                }
                assertThat(calls.get()).isLessThanOrEqualTo(Math.min(n, Math.max(chunks, 2)));
            }
            assertThatThrownBy(() -> pool.parallelForChunks(0, 4, 0, (from, to) -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void guidedLoopsCoverTheRangeExactlyOnceInShrinkingPieces() {
        try (ComputePool pool = new ComputePool(2)) {
            for (int round = 0; round < 500; round++) {
                int n = 1 + round % 97;
                int minChunk = 1 + round % 5;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                List<int[]> pieces = Collections.synchronizedList(new ArrayList<>());
                pool.parallelForGuided(0, n, minChunk, (from, to) -> {
                    pieces.add(new int[] {from, to});
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(1);
                }
                // a piece takes a quarter of what was left (2 threads), at least minChunk: in order of
                // their starts, no piece is larger than the one before it by more than rounding allows
                pieces.sort(Comparator.comparingInt(p -> p[0]));
                for (int[] p : pieces) {
                    int left = n - p[0];
                    assertThat(p[1] - p[0]).as("round %d piece at %d", round, p[0])
                            .isEqualTo(Math.min(left, Math.max(minChunk, (left + 3) / 4)));
                }
            }
            assertThatThrownBy(() -> pool.parallelForGuided(0, 4, 0, (from, to) -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void propagatesFailuresFromWorkersAndStaysUsable() {
        try (ComputePool pool = new ComputePool(2)) {
            assertThatThrownBy(() -> pool.parallelFor(0, 10, (from, to) -> {
                if (from > 0) {
                    throw new IllegalStateException("worker slice failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("worker slice failed");
            int[] sum = new int[1];
            pool.parallelFor(0, 1, (from, to) -> sum[0] += 7);
            assertThat(sum[0]).isEqualTo(7);
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            pool.parallelFor(0, 4, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int base = i * 4;
                    pool.parallelFor(base, base + 4, (a, b) -> {
                        for (int j = a; j < b; j++) {
                            hits.incrementAndGet(j);
                        }
                    });
                }
            });
            for (int i = 0; i < 16; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void rejectsBadThreadCounts() {
        assertThatThrownBy(() -> new ComputePool(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
