package io.bitnetstreams.standalone.input;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.request.InputProblem;
import io.bitnetstreams.engine.json.JsonSchema;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;


class SampleCorpusTest {

    @Test
    void hasAtLeastSixtyShortDocumentsOfEveryKindWithDistinctIds() {
        List<SampleCorpus.Document> documents = SampleCorpus.documents();

        assertThat(documents.size()).isGreaterThanOrEqualTo(60);
        assertThat(documents).extracting(SampleCorpus.Document::id).doesNotHaveDuplicates();
        assertThat(documents).allSatisfy(document -> {
            assertThat(document.text()).isNotBlank();
            assertThat(document.text().length()).isLessThan(600);
        });
        Set<String> kinds = new HashSet<>();
        documents.forEach(document -> kinds.add(document.kind()));
        assertThat(kinds).containsExactlyInAnyOrderElementsOf(SampleCorpus.labels());
        for (String kind : SampleCorpus.labels()) {
            assertThat(documents.stream().filter(d -> d.kind().equals(kind)).count()).as(kind).isGreaterThanOrEqualTo(15);
        }
    }

    @Test
    void theSchemaIsValidForTheWorkersConstrainedDecoder() {
        JsonSchema schema = JsonSchemaParser.parse(SampleCorpus.schema());

        assertThat(schema).isInstanceOf(JsonSchema.ObjectSchema.class);
        assertThat(SampleCorpus.schema()).contains("document_type").contains("organization");
    }

    @Test
    void everySampleLineParsesExceptTheThreeDeliberateErrorLines() {
        InputBatch batch = InputBatch.of(SampleCorpus.parsedLines());
        int documents = SampleCorpus.documents().size();

        assertThat(batch.requests()).filteredOn(r -> r.task() == TaskKind.CLASSIFY).hasSize(documents);
        assertThat(batch.requests()).filteredOn(r -> r.task() == TaskKind.EXTRACT).hasSizeGreaterThanOrEqualTo(20);
        assertThat(batch.requests()).filteredOn(r -> r.task() == TaskKind.GENERATE).hasSizeGreaterThanOrEqualTo(3);
        assertThat(batch.deadLetters()).extracting(InputProblem::id).containsExactly(null, "no-labels");
        assertThat(batch.duplicates()).hasSize(1);
        assertThat(batch.lines()).isEqualTo(SampleCorpus.requestLines().size());
        assertThat(batch.requests()).filteredOn(r -> r.task() == TaskKind.CLASSIFY)
                .allSatisfy(r -> assertThat(r.labels()).isEqualTo(SampleCorpus.labels()));
    }
}
