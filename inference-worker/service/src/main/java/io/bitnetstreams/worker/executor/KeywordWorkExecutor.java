package io.bitnetstreams.worker.executor;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.engine.tasks.TaskRules;
import io.bitnetstreams.worker.engine.EngineTasks;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic rule-based executor, NOT a language model: it exists so the Kafka side of the worker can
 * run and be tested without model weights ({@code --model keyword}).
 *
 * <ul>
 *   <li>classify: each label scores 1 + the number of times it occurs in the text (case-insensitive);
 *       probabilities are the normalised scores.</li>
 *   <li>extract: {@code key: value} lines of the text become a flat JSON object of strings.</li>
 *   <li>generate: echoes the prompt (or last chat message), cut to {@code maxTokens} words.</li>
 * </ul>
 * Test markers in the text: {@code #fail} throws a permanent error; {@code #transient} throws a
 * {@link TransientWorkException} on the first attempt (item {@code attempt == 0}) and succeeds after.
 */
public final class KeywordWorkExecutor extends QueuedWorkExecutor {

    public static final String MODEL_ID = "keyword-rules-v1";
    private static final Pattern KEY_VALUE = Pattern.compile("(?m)^\\s*([A-Za-z_][A-Za-z0-9_ ]{0,63}?)\\s*:\\s*(.{0,1000}?)\\s*$");

    public KeywordWorkExecutor(int threads, int capacity, int maxBatchSize) {
        this(threads, capacity, maxBatchSize, Clock.systemUTC());
    }

    public KeywordWorkExecutor(int threads, int capacity, int maxBatchSize, Clock clock) {
        super("keyword-executor", threads, capacity, maxBatchSize, clock);
        start();
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    protected void runBatch(List<Job> jobs) {
        for (Job job : jobs) {
            long queued = queuedMillis(job);
            long started = clock.millis();
            try {
                WorkOutcome outcome = run(job.item(), queued, jobs.size(), started);
                complete(job, outcome);
            } catch (RuntimeException e) {
                fail(job, e);
            }
        }
    }

    private WorkOutcome run(WorkItem item, long queuedMs, int batchSize, long started) {
        String text = item.getText();
        if (text.contains("#fail")) {
            throw new IllegalArgumentException("text asks to fail (#fail)");
        }
        if (text.contains("#transient") && item.getAttempt() == 0) {
            throw new TransientWorkException("transient failure on first attempt (#transient)");
        }
        int promptTokens = words(text).size();
        Object task = item.getTask();
        return switch (task) {
            case ClassifyTask classify -> {
                ClassificationOutput output = classify(classify, text);
                yield WorkOutcome.ok(output, promptTokens, classify.getLabels().size(), queuedMs, clock.millis() - started, batchSize);
            }
            case ExtractTask ignored -> WorkOutcome.ok(extract(text), promptTokens, 1, queuedMs, clock.millis() - started, batchSize);
            case GenerateTask generate -> {
                GenerationOutput output = generate(generate, text);
                yield WorkOutcome.ok(output, promptTokens, words(output.getText()).size(), queuedMs, clock.millis() - started, batchSize);
            }
            default -> throw new IllegalArgumentException("unknown task type " + task.getClass().getName());
        };
    }

    public static ClassificationOutput classify(ClassifyTask task, String text) {
        List<String> labels = task.getLabels();
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("classify task has no labels");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        Map<String, Double> scores = new LinkedHashMap<>();
        double total = 0;
        for (String label : labels) {
            double score = 1 + occurrences(lower, label.toLowerCase(Locale.ROOT));
            scores.put(label, score);
            total += score;
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        Map<String, Double> logLikelihoods = new LinkedHashMap<>();
        String argmax = labels.getFirst();
        for (String label : labels) {
            double p = scores.get(label) / total;
            probabilities.put(label, p);
            logLikelihoods.put(label, Math.log(p));
            if (p > probabilities.get(argmax)) {
                argmax = label;
            }
        }
        List<String> selected = TaskRules.selectLabels(labels, probabilities, task.getMultiLabel(), task.getThresholds());
        return ClassificationOutput.newBuilder().setProbabilities(probabilities).setLogLikelihoods(logLikelihoods)
                .setArgmax(argmax).setSelectedLabels(selected).build();
    }

    public static ExtractionOutput extract(String text) {
        StringBuilder json = new StringBuilder("{");
        Matcher matcher = KEY_VALUE.matcher(text);
        int fields = 0;
        while (matcher.find() && fields < 100) {
            if (fields++ > 0) {
                json.append(',');
            }
            json.append(quote(matcher.group(1).trim())).append(':').append(quote(matcher.group(2)));
        }
        return ExtractionOutput.newBuilder().setJson(json.append('}').toString()).setStatus(ExtractionStatus.COMPLETE).build();
    }

    public static GenerationOutput generate(GenerateTask task, String text) {
        String source = EngineTasks.conversation(task, text).getLast().content();
        List<String> words = words(source);
        boolean cut = words.size() > task.getMaxTokens();
        List<String> kept = cut ? words.subList(0, Math.max(0, task.getMaxTokens())) : words;
        return GenerationOutput.newBuilder().setText(String.join(" ", kept))
                .setFinishReason(cut ? FinishReason.LENGTH : FinishReason.STOP).build();
    }

    private static int occurrences(String text, String needle) {
        if (needle.isEmpty()) {
            return 0;
        }
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            count++;
        }
        return count;
    }

    private static List<String> words(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
