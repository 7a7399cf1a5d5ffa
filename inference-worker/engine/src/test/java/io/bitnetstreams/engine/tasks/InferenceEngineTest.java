package io.bitnetstreams.engine.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.chat.ChatMessage;
import io.bitnetstreams.engine.json.JsonSchema;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import io.bitnetstreams.engine.json.SchemaValidator;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.KvCache;
import io.bitnetstreams.engine.model.ModelMath;
import io.bitnetstreams.engine.sampling.Sampler;
import io.bitnetstreams.engine.sampling.SamplingParams;
import io.bitnetstreams.engine.tasks.ClassificationResult.LabelScore;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InferenceEngineTest {

    private static final BitNetModel MODEL = TinyModel.MODEL;
    private static final Tokenizer TOKENIZER = TinyModel.TOKENIZER;
    private static final ChatFormat CHAT = new ChatFormat(TOKENIZER);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static InferenceEngine engine(EngineConfig config) {
        return new InferenceEngine(MODEL, TOKENIZER, config);
    }

    private static EngineConfig small() {
        return EngineConfig.defaults().withStepTokenBudget(64);
    }

    /** Greedy one-at-a-time reference with the model's own forward pass. */
    private static int[] referenceGreedy(String user, int maxTokens) {
        return referenceGreedy(CHAT.encodePrompt(null, user), maxTokens);
    }

    private static int[] referenceGreedy(int[] prompt, int maxTokens) {
        KvCache cache = MODEL.newCache(1024);
        float[] logits = MODEL.forwardLast(cache, prompt);
        Sampler sampler = new Sampler(SamplingParams.greedy());
        List<Integer> out = new ArrayList<>();
        int[] history = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int length = prompt.length;
        while (out.size() < maxTokens) {
            int t = sampler.sample(logits, history, length);
            if (CHAT.isStopToken(t)) {
                break;
            }
            out.add(t);
            history[length++] = t;
            if (out.size() < maxTokens) {
                logits = MODEL.forwardLast(cache, new int[] {t});
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void concurrentGreedyGenerationsEqualOneAtATimeResults() {
        try (InferenceEngine engine = engine(small())) {
            List<String> users = List.of("hello", "a much longer message that needs several prompt chunks "
                    + "because the step budget is only sixty-four tokens", "x", "classify me", "JSON please");
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            List<StringBuilder> streamed = new ArrayList<>();
            for (String u : users) {
                StringBuilder sb = new StringBuilder();
                streamed.add(sb);
                futures.add(engine.generate(GenerationRequest.of(u, 12), sb::append));
            }
            for (int i = 0; i < users.size(); i++) {
                GenerationResult result = futures.get(i).join();
                int[] expected = referenceGreedy(users.get(i), 12);
                assertThat(result.tokens()).as(users.get(i)).containsExactly(expected);
                assertThat(result.finishReason()).isEqualTo(expected.length == 12
                        ? GenerationResult.FinishReason.LENGTH : GenerationResult.FinishReason.STOP);
                assertThat(result.text()).isEqualTo(TOKENIZER.decode(expected));
                assertThat(streamed.get(i).toString()).isEqualTo(result.text());
            }
            assertThat(engine.stats().maxBatchSequences()).as("sequences really ran together").isGreaterThan(1);
            InferenceEngine.Stats stats = engine.stats();
            assertThat(stats.stepSequences()).as("batch sizes counted per step").isGreaterThan(stats.steps())
                    .isLessThanOrEqualTo(stats.steps() * stats.maxBatchSequences());
        }
    }

    @Test
    void stopStringsEndGenerationAndAreNotReturned() {
        try (InferenceEngine engine = engine(small())) {
            int[] reference = referenceGreedy("stop test", 20);
            String full = TOKENIZER.decode(reference);
            org.junit.jupiter.api.Assumptions.assumeTrue(full.length() >= 4, "model stopped too early");
            String stop = full.substring(2, 4);
            GenerationResult r = engine.generate(new GenerationRequest(null, "stop test", null, List.of(stop), 20, null),
                    null).join();
            assertThat(r.finishReason()).isEqualTo(GenerationResult.FinishReason.STOP);
            assertThat(r.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        }
    }

    private static double referenceLogLikelihood(int[] prompt, String label) {
        int[] labelIds = TOKENIZER.encode(label);
        int[] all = Arrays.copyOf(prompt, prompt.length + labelIds.length + 1);
        System.arraycopy(labelIds, 0, all, prompt.length, labelIds.length);
        all[all.length - 1] = TOKENIZER.specialTokenId(ChatFormat.END_OF_TURN);
        float[] logits = MODEL.forwardAll(MODEL.newCache(1024), all);
        int vocab = MODEL.config().vocabSize();
        double sum = 0;
        for (int i = prompt.length; i < all.length; i++) {
            sum += ModelMath.logSoftmaxAt(logits, (i - 1) * vocab, vocab, all[i]);
        }
        return sum;
    }

    @Test
    void classificationScoresEqualOneAtATimeLogLikelihoodsAndSumToOne() {
        try (InferenceEngine engine = engine(small())) {
            List<String> labels = List.of("positive", "negative", "neutral", "n");
            List<ClassificationRequest> requests = new ArrayList<>();
            for (String text : List.of("I love it", "terrible product", "it is a chair")) {
                requests.add(new ClassificationRequest(text, labels, "Sentiment of a review.",
                        List.of(new ClassificationRequest.Example("great", "positive")), false, Map.of(), null));
            }
            List<CompletableFuture<ClassificationResult>> futures = requests.stream().map(engine::classify).toList();
            for (int i = 0; i < requests.size(); i++) {
                ClassificationResult result = futures.get(i).join();
                int[] prompt = CHAT.encodePrompt(InferenceEngine.classificationSystem(requests.get(i)),
                        requests.get(i).text());
                double total = 0;
                LabelScore best = result.labels().getFirst();
                for (LabelScore s : result.labels()) {
                    // not bit for bit: a one-token step rounds attention probabilities to F16 as the reference
                    // runtime's decode does, a batch does not (Attention); the engine's steps split differently
                    assertThat(s.logLikelihood()).as(s.label())
                            .isCloseTo(referenceLogLikelihood(prompt, s.label()), within(5e-3));
                    total += s.probability();
                    best = s.probability() > best.probability() ? s : best;
                }
                assertThat(total).isCloseTo(1.0, within(1e-9));
                assertThat(result.label()).isEqualTo(best.label());
                assertThat(result.selected()).containsExactly(best.label());
            }
            InferenceEngine.Stats stats = engine.stats();
            assertThat(stats.prefixEntries()).as("instruction + examples cached once").isEqualTo(1);
            assertThat(stats.prefixHits()).isPositive();
        }
    }

    @Test
    void aTinyStepBudgetStillServesEverySequenceCorrectly() {
        try (InferenceEngine engine = engine(EngineConfig.defaults().withStepTokenBudget(3))) {
            List<String> users = List.of("one", "two", "three", "four", "five");
            List<CompletableFuture<GenerationResult>> gens = new ArrayList<>();
            for (String u : users) {
                gens.add(engine.generate(GenerationRequest.of(u, 6), null));
            }
            ClassificationRequest request = ClassificationRequest.of("label me", List.of("alpha", "beta", "gamma"));
            CompletableFuture<ClassificationResult> classified = engine.classify(request);
            for (int i = 0; i < users.size(); i++) {
                assertThat(gens.get(i).join().tokens()).containsExactly(referenceGreedy(users.get(i), 6));
            }
            int[] prompt = CHAT.encodePrompt(InferenceEngine.classificationSystem(request), request.text());
            for (LabelScore s : classified.join().labels()) {
                assertThat(s.logLikelihood()).isCloseTo(referenceLogLikelihood(prompt, s.label()), within(1e-3));
            }
        }
    }

    @Test
    void mixedRequestsFromManyThreadsAllCompleteCorrectly() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}";
        try (InferenceEngine engine = engine(small());
             java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(3)) {
            List<java.util.concurrent.Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                String user = "client " + c;
                done.add(clients.submit(() -> {
                    CompletableFuture<GenerationResult> gen = engine.generate(GenerationRequest.of(user, 5), null);
                    ClassificationRequest request = ClassificationRequest.of(user, List.of("x", "yy"));
                    CompletableFuture<ClassificationResult> cls = engine.classify(request);
                    CompletableFuture<ExtractionResult> ext = engine.extract(ExtractionRequest.of(user, schema, 20));
                    assertThat(gen.join().tokens()).containsExactly(referenceGreedy(user, 5));
                    int[] prompt = CHAT.encodePrompt(InferenceEngine.classificationSystem(request), user);
                    for (LabelScore s : cls.join().labels()) {
                        assertThat(s.logLikelihood()).isCloseTo(referenceLogLikelihood(prompt, s.label()), within(1e-3));
                    }
                    assertThat(ext.join().status()).isEqualTo(ExtractionResult.Status.COMPLETE);
                    assertThat(ext.join().result().get("ok").isBoolean()).isTrue();
                    return null;
                }));
            }
            for (java.util.concurrent.Future<Void> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void multiLabelSelectsEveryLabelAtOrAboveItsThreshold() {
        try (InferenceEngine engine = engine(small())) {
            List<String> labels = List.of("a", "b", "c");
            ClassificationResult r = engine.classify(new ClassificationRequest("text", labels, null, List.of(), true,
                    Map.of("a", 0.0, "b", 1.0), null)).join();
            double c = r.labels().get(2).probability();
            List<String> expected = new ArrayList<>(List.of("a"));
            if (c >= 1.0 / 3) {
                expected.add("c");
            }
            assertThat(r.selected()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void extractionAlwaysReturnsValidJsonAndCompletesBoundedSchemas() throws Exception {
        String bounded = """
                {"type":"object","properties":{"kind":{"enum":["cat","dog",3]},"ok":{"type":"boolean"},
                 "n":{"type":"integer"},"name":{"type":"string","maxLength":5},
                 "tags":{"type":"array","items":{"type":"boolean"},"maxItems":2}},"required":["kind","ok","n","name"]}""";
        try (InferenceEngine engine = engine(small())) {
            List<CompletableFuture<ExtractionResult>> futures = new ArrayList<>();
            for (int seed = 0; seed < 4; seed++) {
                futures.add(engine.extract(new ExtractionRequest("The cat Tom is 3.", bounded, null, 200,
                        SamplingParams.defaults(seed), null)));
            }
            JsonSchema schema = JsonSchemaParser.parse(bounded);
            for (CompletableFuture<ExtractionResult> f : futures) {
                ExtractionResult r = f.join();
                assertThat(r.status()).isEqualTo(ExtractionResult.Status.COMPLETE);
                assertThat(SchemaValidator.violations(schema, r.result())).as(r.result().toString()).isEmpty();
            }
            ExtractionResult cut = engine.extract(ExtractionRequest.of("text", bounded, 6)).join();
            assertThat(cut.status()).isEqualTo(ExtractionResult.Status.TRUNCATED);
            assertThat(cut.generatedTokens()).isEqualTo(6);
            assertThat(MAPPER.readTree(cut.result().toString())).isEqualTo(cut.result());
        }
    }

    @Test
    void randomSchemasOnTheSyntheticModelGiveValidJson() {
        java.util.Random r = new java.util.Random(9);
        try (InferenceEngine engine = engine(small())) {
            List<CompletableFuture<ExtractionResult>> futures = new ArrayList<>();
            List<JsonSchema> schemas = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String text = io.bitnetstreams.engine.json.RandomSchemasAccess.schemaText(r);
                schemas.add(JsonSchemaParser.parse(text));
                futures.add(engine.extract(new ExtractionRequest("some input", text, null, 60,
                        SamplingParams.defaults(i), null)));
            }
            for (int i = 0; i < futures.size(); i++) {
                ExtractionResult result = futures.get(i).join();
                if (result.status() == ExtractionResult.Status.COMPLETE) {
                    assertThat(SchemaValidator.violations(schemas.get(i), result.result())).isEmpty();
                } else {
                    assertThat(result.result().isObject()).isTrue();
                }
            }
        }
    }

    @Test
    void invalidRequestsFailFastWhileOthersAreServed() {
        try (InferenceEngine engine = engine(small())) {
            CompletableFuture<GenerationResult> ok = engine.generate(GenerationRequest.of("hi", 5), null);
            assertReason(engine.classify(ClassificationRequest.of("t", List.of())),
                    EngineException.Reason.INVALID_REQUEST, "label set is empty");
            assertReason(engine.classify(ClassificationRequest.of("t", List.of("a", "a"))),
                    EngineException.Reason.INVALID_REQUEST, "distinct");
            assertReason(engine.extract(ExtractionRequest.of("t", "{\"type\":\"string\"}", 5)),
                    EngineException.Reason.INVALID_REQUEST, "invalid schema");
            assertReason(engine.generate(GenerationRequest.of("x".repeat(2000), 5), null),
                    EngineException.Reason.INVALID_REQUEST, "exceeds the context");
            assertReason(engine.generate(GenerationRequest.of("x", 0), null),
                    EngineException.Reason.INVALID_REQUEST, "maxTokens");
            assertThat(ok.join().tokens()).containsExactly(referenceGreedy("hi", 5));
        }
    }

    @Test
    void fullPoolQueuesRequestsAndRejectsOnlyWhenTheQueueIsFull() {
        // keys and values of every layer, 2 bytes each (the cache stores F16): were it still counted as
        // F32, this pool would hold no request at all
        long perToken = 2L * MODEL.config().layers() * MODEL.config().kvDim() * 2;
        int promptLength = CHAT.encodePrompt(null, "pool").length;
        // room for exactly one request of prompt + 30 tokens
        EngineConfig config = small().withKvPoolBytes(perToken * (promptLength + 30)).withMaxQueued(2);
        try (InferenceEngine engine = engine(config)) {
            assertReason(engine.generate(GenerationRequest.of("pool", 31), null), EngineException.Reason.TOO_LARGE,
                    "pool holds");
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(engine.generate(GenerationRequest.of("pool", 30), null));
            }
            int served = 0;
            int rejected = 0;
            for (CompletableFuture<GenerationResult> f : futures) {
                try {
                    assertThat(f.join().tokens()).containsExactly(referenceGreedy("pool", 30));
                    served++;
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(EngineException.class);
                    assertThat(((EngineException) e.getCause()).reason()).isEqualTo(EngineException.Reason.QUEUE_FULL);
                    rejected++;
                }
            }
            // two fit in the queue (plus one more if the scheduler admitted the first before the rest came)
            assertThat(served).isBetween(2, 3);
            assertThat(rejected).isEqualTo(8 - served);
            assertThat(engine.stats().maxBatchSequences()).isEqualTo(1);
            assertThat(engine.stats().stepSequences()).as("one sequence per step").isEqualTo(engine.stats().steps());
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().reservedKvBytes() == 0);
        }
    }

    @Test
    void promptsRunInArrivalOrderSoTheFirstDocumentFinishesFirst() {
        String blockerUser = longRunningPrompt();
        long perToken = 2L * MODEL.config().layers() * MODEL.config().kvDim() * 2;
        List<String> users = List.of("first document, a little longer than the step budget",
                "second document, a little longer than the step budget",
                "third document, a little longer than the step budget");
        int[] reserves = users.stream().mapToInt(u -> CHAT.encodePrompt(null, u).length + 1).toArray();
        int poolTokens = Arrays.stream(reserves).sum();
        // the pool holds the blocker or the three followers, never the blocker and one follower: so the followers
        // queue behind the blocker and all join the batch at the same step, when it ends
        int blockerTokens = poolTokens - CHAT.encodePrompt(null, blockerUser).length;
        assertThat(blockerTokens).isBetween(1, 200);
        int budget = 4;
        EngineConfig config = EngineConfig.defaults().withStepTokenBudget(budget)
                .withKvPoolBytes(perToken * poolTokens);
        try (InferenceEngine engine = engine(config)) {
            List<Long> finishedAtStep = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Integer> finishOrder = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<GenerationResult> blocker = engine.generate(GenerationRequest.of(blockerUser, blockerTokens),
                    null);
            List<CompletableFuture<GenerationResult>> followers = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                int index = i;
                followers.add(engine.generate(GenerationRequest.of(users.get(i), 1), null).whenComplete((r, e) -> {
                    finishOrder.add(index);
                    finishedAtStep.add(engine.stats().steps());
                }));
            }
            long blockerEnd = blocker.thenApply(r -> engine.stats().steps()).join();
            followers.forEach(CompletableFuture::join);
            assertThat(finishOrder).containsExactly(0, 1, 2);
            int stepsForOnePrompt = (reserves[0] - 1 + budget - 1) / budget;
            // rotating the prompts would finish the first only after about three prompts' worth of steps
            assertThat(finishedAtStep.getFirst() - blockerEnd).as("steps until the first document is answered")
                    .isLessThanOrEqualTo(stepsForOnePrompt + 1);
        }
    }

    /** A prompt whose greedy run goes on for at least 200 tokens (the model is random). */
    private static String longRunningPrompt() {
        for (int i = 0; i < 20; i++) {
            String user = "long " + i;
            if (referenceGreedy(user, 200).length == 200) {
                return user;
            }
        }
        org.junit.jupiter.api.Assumptions.abort("no long-running prompt found for this random model");
        return null;
    }

    @Test
    void cancellingFreesTheSlotAtTheNextStep() {
        String user = longRunningPrompt();
        try (InferenceEngine engine = engine(small())) {
            AtomicInteger chunks = new AtomicInteger();
            // Cancel from the stream itself after a few chunks: with fast kernels the whole
            // 200-token run can finish between two polls of an await, and then nothing is cancelled.
            java.util.concurrent.atomic.AtomicReference<CompletableFuture<GenerationResult>> running =
                    new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<GenerationResult> longRun = engine.generate(
                    new GenerationRequest(null, user, null, List.of(), 200, null), text -> {
                        if (chunks.incrementAndGet() >= 4 && running.get() != null) {
                            running.get().cancel(true);
                        }
                    });
            running.set(longRun);
            if (chunks.get() >= 4) {
                longRun.cancel(true);
            }
            await().atMost(Duration.ofSeconds(20)).until(longRun::isDone);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().running() == 0
                    && engine.stats().reservedKvBytes() == 0);
            assertThat(longRun).isCancelled();
            assertThat(engine.generate(GenerationRequest.of("after", 3), null).join().tokens())
                    .containsExactly(referenceGreedy("after", 3));
        }
    }

    @Test
    void listenerFailureCancelsAndDeadlinesEndRequests() {
        try (InferenceEngine engine = engine(small())) {
            GenerationResult cancelled = engine.generate(new GenerationRequest(null, "long", null, List.of(), 900, null),
                    text -> {
                        throw new IllegalStateException("client went away");
                    }).join();
            assertThat(cancelled.finishReason()).isIn(GenerationResult.FinishReason.CANCELLED,
                    GenerationResult.FinishReason.STOP);
            Instant soon = Instant.now().plusMillis(200);
            GenerationResult late = engine.generate(new GenerationRequest(null, "long", null, List.of(), 900, soon),
                    null).orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(late.finishReason()).isIn(GenerationResult.FinishReason.DEADLINE, GenerationResult.FinishReason.STOP);
            assertReason(engine.classify(new ClassificationRequest("t", List.of("a", "b"), null, List.of(), false,
                    Map.of(), Instant.now().minusSeconds(1))), EngineException.Reason.DEADLINE_EXCEEDED, "deadline");
        }
    }

    @Test
    void closingFailsPendingRequests() {
        InferenceEngine engine = engine(small());
        engine.close();
        assertReason(engine.generate(GenerationRequest.of("x", 3), null), EngineException.Reason.CLOSED, "closed");
    }

    private static void assertReason(CompletableFuture<?> future, EngineException.Reason reason, String message) {
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(EngineException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((EngineException) e).reason()).isEqualTo(reason));
    }

    @Test
    void aMultiTurnConversationReachesTheModelWholeAndCountsWholeInTheStats() {
        List<ChatMessage> conversation = List.of(ChatMessage.system("Answer briefly."), ChatMessage.user("first question"),
                ChatMessage.assistant("first answer"), ChatMessage.user("second question"));
        int[] prompt = CHAT.encodeConversation(conversation);
        try (InferenceEngine engine = engine(small())) {
            GenerationResult r = engine.generate(new GenerationRequest(conversation, null, List.of(), 8, null), null).join();
            assertThat(r.tokens()).containsExactly(referenceGreedy(prompt, 8));
            assertThat(r.stats().promptTokens()).isEqualTo(prompt.length)
                    .isGreaterThan(CHAT.encodePrompt("Answer briefly.", "second question").length);
            assertThat(r.stats().generatedTokens()).isEqualTo(r.tokens().length);
            assertThat(r.stats().queued().isNegative()).isFalse();
            assertThat(r.stats().prefill()).isPositive();
        }
    }

    @Test
    void resultsCarryThePromptAndScoredTokenCountsTheEngineUsed() {
        ClassificationRequest request = ClassificationRequest.of("I was charged twice", List.of("billing", "other"));
        int[] prompt = CHAT.encodePrompt(InferenceEngine.classificationSystem(request), request.text());
        int scored = 0;
        for (String label : request.labels()) {
            scored += TOKENIZER.encode(label).length + 1; // the label and its end of turn
        }
        try (InferenceEngine engine = engine(small())) {
            ClassificationResult r = engine.classify(request).join();
            assertThat(r.stats().promptTokens()).isEqualTo(prompt.length);
            assertThat(r.stats().generatedTokens()).isEqualTo(scored);
            ExtractionResult e = engine.extract(ExtractionRequest.of("The cat Tom.", "{\"type\":\"object\"}", 4)).join();
            assertThat(e.stats().generatedTokens()).isEqualTo(e.generatedTokens());
            assertThat(e.stats().promptTokens()).isGreaterThan(TOKENIZER.encode("The cat Tom.").length);
        }
    }

    @Test
    void anEmptyConversationIsRefused() {
        try (InferenceEngine engine = engine(small())) {
            assertReason(engine.generate(new GenerationRequest(List.of(), null, List.of(), 3, null), null),
                    EngineException.Reason.INVALID_REQUEST, "user message is missing");
            assertReason(engine.generate(new GenerationRequest(null, null, null, List.of(), 3, null), null),
                    EngineException.Reason.INVALID_REQUEST, "user message is missing");
        }
    }
}
