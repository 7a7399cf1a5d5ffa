package io.bitnetstreams.chaos.workload;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The requests of a chaos run, a pure function of {@code (count, seed, shares)}: mostly classify and extract
 * requests for the deterministic executor, a share of generate requests for the engine, and a share of invalid
 * requests (classification without labels, blank text) that must each become one dead letter.
 */
public final class RequestPlan {

    public static final String TENANT = "chaos";
    static final List<String> LABELS = List.of("sports", "politics", "science", "music");
    static final String SCHEMA = """
            {"type":"object","properties":{"name":{"type":"string"},"city":{"type":"string"},"topic":{"type":"string"}}}""";
    private static final List<String> WORDS = List.of("the", "match", "vote", "lab", "song", "city", "river", "budget",
            "goal", "theory", "album", "team", "senate", "atom", "guitar", "market", "storm", "paper", "stage", "court");
    private static final List<String> NAMES = List.of("Ada", "Linus", "Grace", "Ken", "Barbara", "Edsger");
    private static final List<String> CITIES = List.of("Lyon", "Graz", "Porto", "Turku", "Gdansk", "Cork");

    private RequestPlan() {
    }

    /**
     * @param engineShare  fraction of generate requests (run by the engine)
     * @param invalidShare fraction of invalid requests
     */
    public static List<PlannedRequest> plan(int count, long seed, double engineShare, double invalidShare) {
        if (count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException("requests must be in [1, 1000000], not " + count);
        }
        if (engineShare < 0 || invalidShare < 0 || engineShare + invalidShare > 1) {
            throw new IllegalArgumentException("shares must be >= 0 and add up to at most 1");
        }
        Random random = new Random(seed);
        Instant created = Instant.ofEpochMilli(1_700_000_000_000L + seed);
        List<PlannedRequest> plan = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = "chaos-" + seed + "-" + i;
            double draw = random.nextDouble();
            PlannedRequest request;
            if (draw < invalidShare) {
                request = invalid(id, created, random);
            } else if (draw < invalidShare + engineShare) {
                request = new PlannedRequest(generate(id, created, random), PlannedRequest.Kind.ENGINE, null);
            } else {
                InferenceRequest deterministic = random.nextBoolean() ? classify(id, created, random) : extract(id, created, random);
                request = new PlannedRequest(deterministic, PlannedRequest.Kind.DETERMINISTIC, Content.expected(deterministic));
            }
            plan.add(request);
        }
        return List.copyOf(plan);
    }

    private static InferenceRequest.Builder base(String id, Instant created, String text) {
        return InferenceRequest.newBuilder().setRequestId(id).setTenant(TENANT).setCreatedAt(created).setText(text);
    }

    private static String words(Random random, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
            if (random.nextInt(4) == 0) {
                text.append(' ').append(LABELS.get(random.nextInt(LABELS.size())));
            }
        }
        return text.toString();
    }

    private static InferenceRequest classify(String id, Instant created, Random random) {
        boolean multi = random.nextInt(3) == 0;
        return base(id, created, words(random, 6 + random.nextInt(20)))
                .setTask(ClassifyTask.newBuilder().setLabels(LABELS).setMultiLabel(multi).build()).build();
    }

    private static InferenceRequest extract(String id, Instant created, Random random) {
        String text = "name: " + NAMES.get(random.nextInt(NAMES.size())) + "\ncity: " + CITIES.get(random.nextInt(CITIES.size()))
                + "\ntopic: " + words(random, 1 + random.nextInt(4)) + "\n" + words(random, random.nextInt(10));
        return base(id, created, text).setTask(ExtractTask.newBuilder().setJsonSchema(SCHEMA).build()).build();
    }

    private static InferenceRequest generate(String id, Instant created, Random random) {
        return base(id, created, words(random, 3 + random.nextInt(6)))
                .setTask(GenerateTask.newBuilder().setPrompt("Continue: " + words(random, 4)).setMaxTokens(4).build()).build();
    }

    private static PlannedRequest invalid(String id, Instant created, Random random) {
        InferenceRequest request = random.nextBoolean()
                ? base(id, created, words(random, 5)).setTask(ClassifyTask.newBuilder().setLabels(List.of()).build()).build()
                : base(id, created, "   ").setTask(ExtractTask.newBuilder().setJsonSchema(SCHEMA).build()).build();
        return new PlannedRequest(request, PlannedRequest.Kind.INVALID, null);
    }
}
