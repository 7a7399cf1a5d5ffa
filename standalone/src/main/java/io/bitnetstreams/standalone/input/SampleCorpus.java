package io.bitnetstreams.standalone.input;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bundled sample: short support tickets, invoices and news briefs ({@code sample-corpus/documents.jsonl}), the
 * default label set ({@code labels.json}), the default extraction schema ({@code schema.json}) and a few generation
 * prompts ({@code prompts.jsonl}). As requests: every document is classified; invoices and the first five tickets
 * and news briefs are also extracted; every prompt is generated. Three extra lines show the error paths on purpose:
 * a malformed line, an invalid request and a repeated id.
 */
public final class SampleCorpus {

    private static final String ROOT = "/sample-corpus/";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> EXTRACTED_NON_INVOICES = Set.of("ticket-01", "ticket-02", "ticket-03", "ticket-04",
            "ticket-05", "news-01", "news-02", "news-03", "news-04", "news-05");

    /** One bundled document and the label it should get. */
    public record Document(String id, String kind, String text) {
    }

    private SampleCorpus() {
    }

    public static List<String> labels() {
        try {
            return MAPPER.readValue(resource("labels.json"), new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("bundled labels.json is broken", e);
        }
    }

    /** The default extraction schema as compact JSON text. */
    public static String schema() {
        return schemaNode().toString();
    }

    static JsonNode schemaNode() {
        try {
            return MAPPER.readTree(resource("schema.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("bundled schema.json is broken", e);
        }
    }

    public static List<Document> documents() {
        List<Document> documents = new ArrayList<>();
        for (JsonNode node : jsonLines("documents.jsonl")) {
            documents.add(new Document(node.get("id").asText(), node.get("kind").asText(), node.get("text").asText()));
        }
        return documents;
    }

    static List<JsonNode> prompts() {
        return jsonLines("prompts.jsonl");
    }

    /** The sample as JSONL lines, in the format {@code --input} accepts. */
    public static List<String> requestLines() {
        JsonNode schema = schemaNode();
        List<String> labels = labels();
        List<String> lines = new ArrayList<>();
        List<Document> documents = documents();
        for (Document document : documents) {
            ObjectNode classify = MAPPER.createObjectNode().put("id", document.id() + "/classify").put("task", "classify")
                    .put("text", document.text());
            labels.forEach(classify.putArray("labels")::add);
            lines.add(classify.toString());
        }
        for (Document document : documents) {
            if (document.kind().equals("invoice") || EXTRACTED_NON_INVOICES.contains(document.id())) {
                ObjectNode extract = MAPPER.createObjectNode().put("id", document.id() + "/extract").put("task", "extract")
                        .put("text", document.text());
                extract.set("schema", schema);
                lines.add(extract.toString());
            }
        }
        for (JsonNode prompt : prompts()) {
            ObjectNode generate = ((ObjectNode) prompt.deepCopy()).put("task", "generate");
            lines.add(generate.toString());
        }
        // the error paths, on purpose: they end as dead letters and a counted duplicate
        lines.add("{\"id\": \"broken-line\", \"task\": \"classify\", \"text\": \"unterminated");
        lines.add("{\"id\": \"no-labels\", \"task\": \"classify\", \"text\": \"A classification without labels.\"}");
        lines.add(lines.getFirst());
        return lines;
    }

    /** The sample parsed like any JSONL input. */
    public static List<ParsedLine> parsedLines() {
        List<String> lines = requestLines();
        List<ParsedLine> parsed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            parsed.add(RequestParser.parse(i + 1, lines.get(i)));
        }
        return parsed;
    }

    private static List<JsonNode> jsonLines(String name) {
        try {
            String text = new String(resource(name).readAllBytes(), StandardCharsets.UTF_8);
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    nodes.add(MAPPER.readTree(line));
                }
            }
            return nodes;
        } catch (IOException e) {
            throw new UncheckedIOException("bundled " + name + " is broken", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = SampleCorpus.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IllegalStateException("bundled resource " + ROOT + name + " is missing from the jar");
        }
        return in;
    }
}
