package io.bitnetstreams.engine.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.model.KvCache;
import org.junit.jupiter.api.Test;

class PrefixCacheTest {

    private static KvCache cache() {
        return TinyModel.MODEL.newCache(8);
    }

    @Test
    void findsTheLongestSharedLeadingPartWithinTheAskedRange() {
        PrefixCache prefixes = new PrefixCache(1000, 10);
        KvCache short3 = cache();
        KvCache long5 = cache();
        prefixes.publish(new int[] {1, 2, 3}, short3);
        prefixes.publish(new int[] {1, 2, 3, 4, 5}, long5);
        PrefixCache.Match m = prefixes.lookup(new int[] {1, 2, 3, 4, 9, 9}, 2, 5);
        assertThat(m.cache()).isSameAs(long5);
        assertThat(m.length()).isEqualTo(4);
        assertThat(prefixes.lookup(new int[] {1, 2, 3, 4, 5, 6}, 1, 3).length()).as("capped by maxLength").isEqualTo(3);
        assertThat(prefixes.lookup(new int[] {1, 7}, 2, 2)).as("shorter than minLength").isNull();
        assertThat(prefixes.hits()).isEqualTo(2);
        assertThat(prefixes.misses()).isEqualTo(1);
    }

    @Test
    void evictsLeastRecentlyUsedBeyondTheByteBudget() {
        PrefixCache prefixes = new PrefixCache(60, 10); // six tokens
        prefixes.publish(new int[] {1, 1, 1}, cache());
        prefixes.publish(new int[] {2, 2, 2}, cache());
        prefixes.lookup(new int[] {1, 1, 1, 0}, 3, 3); // touch the first
        prefixes.publish(new int[] {3, 3, 3}, cache());
        assertThat(prefixes.entries()).isEqualTo(2);
        assertThat(prefixes.bytes()).isEqualTo(60);
        assertThat(prefixes.lookup(new int[] {2, 2, 2, 0}, 3, 3)).as("evicted").isNull();
        assertThat(prefixes.lookup(new int[] {1, 1, 1, 0}, 3, 3)).isNotNull();
        prefixes.publish(new int[] {4, 4, 4, 4, 4, 4, 4}, cache());
        assertThat(prefixes.entries()).as("larger than the whole budget: not kept").isEqualTo(2);
    }

    @Test
    void oneClaimPerPrefixUntilPublishedOrAbandoned() {
        PrefixCache prefixes = new PrefixCache(1000, 10);
        assertThat(prefixes.claim(new int[] {1, 2})).isTrue();
        assertThat(prefixes.claim(new int[] {1, 2})).isFalse();
        assertThat(prefixes.isPending(new int[] {1, 2})).isTrue();
        prefixes.abandon(new int[] {1, 2});
        assertThat(prefixes.claim(new int[] {1, 2})).isTrue();
        prefixes.publish(new int[] {1, 2}, cache());
        assertThat(prefixes.isPending(new int[] {1, 2})).isFalse();
    }
}
