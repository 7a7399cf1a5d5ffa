package io.bitnetstreams.contract.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import io.bitnetstreams.engine.tasks.TaskRules;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Jazzer target: the request validator of JSONL input. Any line becomes either a valid request or an input problem
 * (a dead letter with its reason); it never throws. A valid request honours every limit, passes the engine's own
 * rules ({@link TaskRules#conversation}, the schema parser) and maps to an Avro request. Seeds:
 * {@code RequestParserFuzzInputs/parse/} (request lines we wrote, valid and invalid).
 */
class RequestParserFuzz {

    @FuzzTest
    void parse(byte[] input) {
        ParsedLine parsed = RequestParser.parse(7, new String(input, StandardCharsets.UTF_8));
        assertThat(parsed.line()).isEqualTo(7);
        switch (parsed) {
            case ParsedLine.Invalid invalid -> assertThat(invalid.problem().reason()).isNotBlank();
            case ParsedLine.Valid valid -> checkValid(valid.request());
        }
    }

    private static void checkValid(RequestSpec request) {
        assertThat(RequestParser.idProblem(request.id())).isNull();
        if (request.text() != null) {
            assertThat(request.text().length()).isLessThanOrEqualTo(RequestParser.MAX_TEXT_CHARS);
        }
        assertThat(request.labels().size()).isLessThanOrEqualTo(RequestParser.MAX_LABELS);
        if (request.task() == TaskKind.CLASSIFY) {
            assertThat(request.labels()).isNotEmpty().doesNotHaveDuplicates();
        }
        if (request.task() == TaskKind.EXTRACT) {
            JsonSchemaParser.parse(request.schema());
        }
        if (request.task() == TaskKind.GENERATE) {
            assertThat(request.maxTokens()).isBetween(1, RequestParser.MAX_GENERATED_TOKENS);
            assertThat(request.messages().size()).isLessThanOrEqualTo(RequestParser.MAX_MESSAGES);
            TaskRules.conversation(request.system(), request.messages(), request.prompt(), request.text());
        }
        assertThat(RequestMapper.toAvro(request.id(), request, Instant.EPOCH).getRequestId()).isEqualTo(request.id());
    }
}
