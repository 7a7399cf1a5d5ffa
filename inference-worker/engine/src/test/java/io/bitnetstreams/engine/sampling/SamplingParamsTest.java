package io.bitnetstreams.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    private static final SamplingParams VALID = new SamplingParams(0.7f, 40, 0.9f, 0.05f, 1.1f, 64, 7L);

    @Test
    void greedyHasZeroTemperatureAndNoFilters() {
        SamplingParams greedy = SamplingParams.greedy();
        assertThat(greedy.isGreedy()).isTrue();
        assertThat(greedy.penalizesRepetition()).isFalse();
        assertThat(greedy.topP()).isEqualTo(1f);
        assertThat(greedy.minP()).isZero();
    }

    @Test
    void acceptsBoundaryValues() {
        SamplingParams params = new SamplingParams(0f, 0, 1f, 0f, 1f, 0, Long.MIN_VALUE);
        assertThat(params.isGreedy()).isTrue();
        assertThat(VALID.withTopP(Float.MIN_VALUE).topP()).isPositive();
        assertThat(VALID.withRepetitionPenalty(0.5f, 1).penalizesRepetition()).isTrue();
    }

    @Test
    void rejectsBadTemperature() {
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTemperature(-0.1f)).withMessageContaining("temperature");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTemperature(Float.NaN)).withMessageContaining("temperature");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTemperature(Float.POSITIVE_INFINITY)).withMessageContaining("temperature");
    }

    @Test
    void rejectsBadTopK() {
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTopK(-1)).withMessageContaining("topK");
    }

    @Test
    void rejectsBadTopP() {
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTopP(0f)).withMessageContaining("topP");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTopP(1.01f)).withMessageContaining("topP");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withTopP(Float.NaN)).withMessageContaining("topP");
    }

    @Test
    void rejectsBadMinP() {
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withMinP(1f)).withMessageContaining("minP");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withMinP(-0.01f)).withMessageContaining("minP");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withMinP(Float.NaN)).withMessageContaining("minP");
    }

    @Test
    void rejectsBadRepetitionSettings() {
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withRepetitionPenalty(0f, 64))
                .withMessageContaining("repetitionPenalty");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withRepetitionPenalty(Float.NaN, 64))
                .withMessageContaining("repetitionPenalty");
        assertThatIllegalArgumentException().isThrownBy(() -> VALID.withRepetitionPenalty(1.1f, -1))
                .withMessageContaining("repetitionLastN");
    }
}
