package io.bitnetstreams.loadtest.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.contract.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {

    @TempDir
    Path dir;

    @Test
    void theMixIsDrawnWithItsWeights() {
        TaskMix mix = TaskMix.parse("classify=80, extract:15,generate=5");
        Map<TaskKind, Integer> counts = new EnumMap<>(TaskKind.class);
        Random random = new Random(3);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts.merge(mix.pick(random), 1, Integer::sum);
        }
        assertThat(counts.get(TaskKind.CLASSIFY) / (double) n).isCloseTo(0.80, within(0.01));
        assertThat(counts.get(TaskKind.EXTRACT) / (double) n).isCloseTo(0.15, within(0.01));
        assertThat(counts.get(TaskKind.GENERATE) / (double) n).isCloseTo(0.05, within(0.005));
        assertThat(mix.percentages()).containsEntry("classify", 80.0);
        assertThat(TaskMix.parse("extract").pick(random)).isEqualTo(TaskKind.EXTRACT);
    }

    @Test
    void badMixesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> TaskMix.parse("summarize=5")).hasMessageContaining("unknown task 'summarize'");
        assertThatThrownBy(() -> TaskMix.parse("classify=x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> TaskMix.parse("classify=0")).hasMessageContaining("positive sum");
        assertThatThrownBy(() -> TaskMix.parse("classify=1,classify=2")).hasMessageContaining("twice");
    }

    @Test
    void lengthsFollowTheirDistributionWithinBounds() {
        Random random = new Random(5);
        assertThat(LengthDistribution.parse("128").sample(random)).isEqualTo(128);
        LengthDistribution uniform = LengthDistribution.parse("uniform:10:20");
        for (int i = 0; i < 1000; i++) {
            assertThat(uniform.sample(random)).isBetween(10, 20);
        }
        LengthDistribution exp = LengthDistribution.parse("exp:200");
        double mean = java.util.stream.IntStream.range(0, 50_000).map(i -> exp.sample(random)).average().orElse(0);
        assertThat(mean).isCloseTo(200, within(6.0));
        assertThatThrownBy(() -> LengthDistribution.parse("uniform:20:10")).hasMessageContaining("min <= max");
        assertThatThrownBy(() -> LengthDistribution.parse("fixed:999999")).hasMessageContaining("within");
        assertThatThrownBy(() -> LengthDistribution.parse("zipf:3")).hasMessageContaining("use 128");
    }

    @Test
    void documentsHaveTheDrawnLengthAndDistinctBeginnings() {
        DocumentSource source = DocumentSource.synthetic(LengthDistribution.parse("40"));
        TokenCounter tokens = TokenCounter.estimate();
        Random random = new Random(1);
        String first = source.document(0, random, tokens);
        String second = source.document(1, random, tokens);
        assertThat(tokens.count(first)).isEqualTo(40);
        assertThat(first).startsWith("Message 0: ");
        assertThat(second).startsWith("Message 1: ");
    }

    @Test
    void directoryDocumentsAreReadAndBounded() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "Invoice 12 from ACME, total 40 EUR.");
        Files.writeString(dir.resolve("b.txt"), "   ");
        DocumentSource source = DocumentSource.parse(dir.toString(), null);
        assertThat(source.document(3, new Random(), TokenCounter.estimate())).isEqualTo("Message 3: Invoice 12 from ACME, total 40 EUR.");
        assertThatThrownBy(() -> DocumentSource.parse(dir.resolve("none").toString(), null)).hasMessageContaining("neither");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> DocumentSource.directory(empty, null)).hasMessageContaining("no non-empty");
    }

    @Test
    void requestsCarryTheirTaskLabelsAndPrompt() {
        Workload workload = new Workload(TaskMix.parse("classify=1,generate=1"), DocumentSource.sample(null), Workload.labels("4"),
                "{\"type\":\"object\"}", 16, 9);
        List<Workload.Template> templates = workload.prepare(50, TokenCounter.estimate());
        assertThat(templates).hasSize(50).extracting(Workload.Template::task).contains(TaskKind.CLASSIFY, TaskKind.GENERATE);
        assertThat(workload.prepare(50, TokenCounter.estimate())).isEqualTo(templates);
        Workload.Template classify = templates.stream().filter(t -> t.task() == TaskKind.CLASSIFY).findFirst().orElseThrow();
        InferenceRequest request = workload.request("r-1", classify, Instant.EPOCH);
        assertThat(request.getRequestId()).isEqualTo("r-1");
        assertThat(((ClassifyTask) request.getTask()).getLabels()).containsExactly("category_1", "category_2", "category_3", "category_4");
        assertThat(request.getText()).isEqualTo(classify.text());
        Workload.Template generate = templates.stream().filter(t -> t.task() == TaskKind.GENERATE).findFirst().orElseThrow();
        GenerateTask task = (GenerateTask) workload.request("r-2", generate, Instant.EPOCH).getTask();
        assertThat(task.getPrompt()).endsWith(generate.text());
        assertThat(task.getMaxTokens()).isEqualTo(16);
        assertThat(Workload.labels("a, b,,a")).containsExactly("a", "b");
        assertThatThrownBy(() -> new Workload(TaskMix.classifyOnly(), DocumentSource.sample(null), List.of("one"), "{}", 1, 1))
                .hasMessageContaining("2 to 256 labels");
    }
}
