package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    /** The caller's slice waits for the other one, so only a worker can run it. */
    @Test
    void runsSlicesOnDedicatedThreadsNotTheCommonPool() {
        try (ComputePool pool = new ComputePool(2)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 20; round++) {
                CountDownLatch secondSliceRan = new CountDownLatch(1);
                boolean[] callerSawIt = new boolean[1];
                pool.parallelFor(0, 2, (from, to) -> {
                    if (from == 0) {
                        callerSawIt[0] = await(secondSliceRan);
                    } else {
                        names.add(Thread.currentThread().getName());
                        secondSliceRan.countDown();
                    }
                });
                assertThat(callerSawIt[0]).isTrue();
            }
            assertThat(names).containsExactly("bitnet-compute-1");
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
}
