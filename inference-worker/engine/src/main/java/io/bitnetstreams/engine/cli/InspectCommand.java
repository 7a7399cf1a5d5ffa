package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bitnetstreams.engine.gguf.GgufArray;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufMetadata;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.model.BitNetConfig;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.model.ModelFormatException;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet inspect MODEL}: architecture, hyper-parameters, tensor table, tokenizer summary. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a GGUF model's architecture, hyper-parameters, tensors and tokenizer.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (GgufFile file = GgufFile.open(model)) {
            Map<String, Object> report = report(file);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            } else {
                printText(out, file, report);
            }
            out.flush();
        }
        return BitnetCli.EXIT_OK;
    }

    private static Map<String, Object> report(GgufFile file) {
        GgufMetadata metadata = file.metadata();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", file.path().toString());
        report.put("file_size", file.fileSize());
        report.put("gguf_version", file.version());
        report.put("architecture", metadata.findString("general.architecture").orElse(null));
        try {
            report.put("config", BitNetConfig.fromMetadata(metadata));
        } catch (ModelFormatException e) {
            report.put("config_error", e.getMessage());
        }
        report.put("metadata", scalarMetadata(metadata));
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (GgufTensorInfo t : file.tensors()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", t.name());
            row.put("type", t.type().name());
            row.put("shape", t.dims());
            row.put("bytes", t.byteSize());
            tensors.add(row);
        }
        report.put("tensors", tensors);
        report.put("tokenizer", tokenizerSummary(metadata));
        return report;
    }

    /** Every key with a scalar value; arrays are summarized by their length. */
    private static Map<String, Object> scalarMetadata(GgufMetadata metadata) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : metadata.keys()) {
            Object raw = metadata.getRaw(key);
            if (raw instanceof GgufArray array) {
                values.put(key, array.elementType() + "[" + array.length() + "]");
            } else if (raw instanceof Collection<?> c) {
                values.put(key, "array[" + c.size() + "]");
            } else if (raw != null && raw.getClass().isArray()) {
                values.put(key, "array[" + Array.getLength(raw) + "]");
            } else if (raw instanceof String s && s.length() > 120) {
                values.put(key, s.substring(0, 117) + "...");
            } else {
                values.put(key, raw);
            }
        }
        return values;
    }

    private static Map<String, Object> tokenizerSummary(GgufMetadata metadata) {
        Map<String, Object> summary = new LinkedHashMap<>();
        try {
            Vocabulary v = GgufTokenizers.vocabulary(metadata);
            summary.put("model", metadata.getString("tokenizer.ggml.model"));
            summary.put("tokens", v.tokens().size());
            summary.put("merges", v.merges().size());
            summary.put("control_tokens", Arrays.stream(v.tokenTypes()).filter(t -> t == Vocabulary.TYPE_CONTROL).count());
            summary.put("bos", piece(v, v.bosId()));
            summary.put("eos", piece(v, v.eosId()));
            summary.put("eot", piece(v, v.eotId()));
            summary.put("add_bos_token", GgufTokenizers.addBos(metadata));
            summary.put("pre", metadata.has("tokenizer.ggml.pre") ? metadata.getString("tokenizer.ggml.pre") : null);
            summary.put("chat_template", metadata.has("tokenizer.chat_template"));
        } catch (RuntimeException e) {
            summary.put("error", e.getMessage());
        }
        return summary;
    }

    private static String piece(Vocabulary v, int id) {
        return id < 0 ? "none" : id + " " + v.tokens().get(id);
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, GgufFile file, Map<String, Object> report) {
        out.printf("file:          %s (%,d bytes, GGUF v%d)%n", report.get("file"), file.fileSize(), file.version());
        out.printf("architecture:  %s%n", report.get("architecture"));
        if (report.get("config") instanceof BitNetConfig c) {
            out.printf("vocab %d, context %d, dim %d, layers %d, ffn %d, heads %d, kv heads %d (head dim %d), "
                            + "rope dim %d, rope theta %s, rms eps %s, activation %s%n",
                    c.vocabSize(), c.contextLength(), c.dim(), c.layers(), c.ffnDim(), c.heads(), c.kvHeads(),
                    c.headDim(), c.ropeDim(), c.ropeTheta(), c.rmsEps(), c.activation());
        } else {
            out.printf("config:        invalid: %s%n", report.get("config_error"));
        }
        out.println();
        out.println("metadata:");
        ((Map<String, Object>) report.get("metadata")).forEach((k, v) -> out.printf("  %-45s %s%n", k, v));
        out.println();
        List<Map<String, Object>> tensors = (List<Map<String, Object>>) report.get("tensors");
        out.printf("tensors (%d):%n", tensors.size());
        out.printf("  %-32s %-6s %-18s %14s%n", "name", "type", "shape", "bytes");
        long total = 0;
        for (Map<String, Object> t : tensors) {
            long bytes = (Long) t.get("bytes");
            total += bytes;
            out.printf("  %-32s %-6s %-18s %,14d%n", t.get("name"), t.get("type"), shape((long[]) t.get("shape")), bytes);
        }
        out.printf("  %-32s %-6s %-18s %,14d%n", "total", "", "", total);
        out.println();
        out.println("tokenizer:");
        ((Map<String, Object>) report.get("tokenizer")).forEach((k, v) -> out.printf("  %-15s %s%n", k, v));
    }

    private static String shape(long[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : " x ").append(dims[i]);
        }
        return sb.toString();
    }
}
