package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.worker.executor.EngineTimings;
import io.bitnetstreams.worker.executor.WorkItems;
import io.bitnetstreams.worker.executor.WorkOutcome;
import org.junit.jupiter.api.Test;

class ResultsTest {

    @Test
    void theResultCarriesTheEnginesCountsAndTimingsUnchanged() {
        WorkOutcome outcome = WorkOutcome.ok(new GenerationOutput("hi", FinishReason.LENGTH), 17, 3, 5, 90, 1)
                .withEngineTimings(new EngineTimings(4, 60, 25));
        WorkResult result = Results.result(WorkItems.classify("r", "x"), outcome, "w", "m", 1000);
        assertThat(result.getUsage().getPromptTokens()).isEqualTo(17);
        assertThat(result.getUsage().getGeneratedTokens()).isEqualTo(3);
        assertThat(result.getTimings().getQueuedMs()).isEqualTo(5);
        assertThat(result.getTimings().getInferenceMs()).isEqualTo(90);
        assertThat(result.getTimings().getEngineQueuedMs()).isEqualTo(4);
        assertThat(result.getTimings().getPrefillMs()).isEqualTo(60);
        assertThat(result.getTimings().getDecodeMs()).isEqualTo(25);
    }
}
