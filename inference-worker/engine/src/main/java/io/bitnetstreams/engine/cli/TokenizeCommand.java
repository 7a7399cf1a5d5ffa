package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet tokenize MODEL_OR_TOKENIZER --text T}: token ids and pieces (no BOS is added). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize text with a model's tokenizer or a tiktoken ranks file (no BOS added).")
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL_OR_TOKENIZER", description = "GGUF model or tiktoken ranks file.")
    Path source;

    @Option(names = "--text", required = true, paramLabel = "T", description = "The text to tokenize.")
    String text;

    @Option(names = "--ids-only", description = "Print only the ids, space separated.")
    boolean idsOnly;

    @Option(names = "--json", description = "Print {\"ids\": [...], \"pieces\": [...]}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = TokenizerSource.open(source);
        int[] ids = tokenizer.encode(text);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(tokenizer.tokenPiece(id));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ids", ids);
            result.put("pieces", pieces);
            out.println(new ObjectMapper().writeValueAsString(result));
        } else if (idsOnly) {
            out.println(IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        } else {
            for (int id : ids) {
                out.printf("%8d  %s%n", id, tokenizer.tokenPiece(id));
            }
        }
        out.flush();
        return BitnetCli.EXIT_OK;
    }
}
