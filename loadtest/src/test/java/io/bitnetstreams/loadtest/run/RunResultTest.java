package io.bitnetstreams.loadtest.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.loadtest.arrival.ArrivalSchedule;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import io.bitnetstreams.loadtest.measure.Outcome;
import io.bitnetstreams.loadtest.measure.ProcStats;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import io.bitnetstreams.loadtest.measure.SystemSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunResultTest {

    /** A run of {@code n} requests one second apart, each answered {@code latencyMs} later, with growing or flat lag. */
    static RunResult run(String label, LoadShape load, int workers, int n, long latencyMs, boolean lagGrows) {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long sent = i * 1_000_000_000L;
            records.add(new RequestRecord(label + i, TaskKind.CLASSIFY, 128, sent, sent, sent + latencyMs * 1_000_000, Outcome.DONE,
                    5, latencyMs / 2, 180, 1, null));
        }
        List<SystemSampler.Sample> samples = new ArrayList<>();
        for (int s = 0; s <= n; s++) {
            samples.add(new SystemSampler.Sample(s, lagGrows ? s : 2, 0, Map.of("w-0", new ProcStats.Reading(s * 0.9, 1_000_000_000L))));
        }
        return RunResult.of(label, load, workers, 1, n, records, samples, 1.0);
    }

    @Test
    void throughputCountsResultsOverTheWindowFromFirstSendToLastAnswer() {
        LoadShape load = LoadShape.open(ArrivalSchedule.Shape.CONSTANT, 1, Duration.ofSeconds(10), 0);
        RunResult result = run("a", load, 1, 10, 1_000, false);
        // 10 results between 0 s and 10 s
        assertThat(result.windowSeconds()).isCloseTo(10, within(1e-9));
        assertThat(result.documentsPerSecond()).isCloseTo(1.0, within(1e-9));
        assertThat(result.tokensPerSecond()).isCloseTo(181, within(1e-9));
        assertThat(result.counts()).isEqualTo(new Counts(10, 10, 0, 0, 0, 0, 0));
        assertThat(result.counts().complete()).isTrue();
        assertThat(result.workerStats().get("w-0").meanCpuPercent()).isCloseTo(90, within(1e-6));
        assertThat(result.workerStats().get("w-0").maxRssMb()).isCloseTo(1_000, within(1e-6));
        assertThat(result.failureReasons()).isEmpty();
    }

    @Test
    void aGrowingBacklogFailsTheSloEvenWithLowLatency() {
        LoadShape load = LoadShape.open(ArrivalSchedule.Shape.POISSON, 1, Duration.ofSeconds(20), 0);
        RunResult flat = run("flat", load, 1, 20, 500, false);
        assertThat(flat.backlogSlopePerSecond()).isCloseTo(0, within(0.1)); // one in flight throughout, none after the last send
        assertThat(flat.holds(1_000)).isTrue();
        assertThat(flat.holds(100)).isFalse();
        // one request a second sent, one every two seconds answered: the backlog grows by half a request per second
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long sent = i * 1_000_000_000L;
            records.add(new RequestRecord("g" + i, TaskKind.CLASSIFY, 128, sent, sent, (2L * i + 1) * 1_000_000_000L, Outcome.DONE,
                    5, 100, 180, 1, null));
        }
        RunResult growing = RunResult.of("growing", load, 1, 1, 20, records, List.of(), 1.0);
        assertThat(growing.backlogSlopePerSecond()).isCloseTo(0.5, within(0.05));
        assertThat(growing.lagGrowing()).isTrue();
        assertThat(growing.holds(60_000)).isFalse();
    }

    @Test
    void consumerLagCreepingUpWithoutABacklogIsNotOverCapacity() {
        // transaction markers make the offset lag grow by itself; every request is still answered in 500 ms
        LoadShape load = LoadShape.open(ArrivalSchedule.Shape.POISSON, 1, Duration.ofSeconds(20), 0);
        RunResult markers = run("markers", load, 1, 20, 500, true);
        assertThat(markers.lagSlopePerSecond()).isCloseTo(1, within(1e-9));
        assertThat(markers.lagGrowing()).isFalse();
        assertThat(markers.holds(1_000)).isTrue();
    }

    @Test
    void failuresAreCountedWithTheirReasons() {
        List<RequestRecord> records = List.of(
                new RequestRecord("1", TaskKind.CLASSIFY, 1, 0, 0, 10, Outcome.DONE, 0, 0, 1, 1, null),
                new RequestRecord("2", TaskKind.CLASSIFY, 1, 0, 0, 10, Outcome.DEAD_LETTER, -1, -1, 0, 0, "INVALID_REQUEST: x"),
                new RequestRecord("3", TaskKind.CLASSIFY, 1, 0, 0, 10, Outcome.DEAD_LETTER, -1, -1, 0, 0, "INVALID_REQUEST: x"),
                new RequestRecord("4", TaskKind.CLASSIFY, 1, 0, 0, -1, Outcome.MISSING, -1, -1, 0, 0, null),
                new RequestRecord("5", TaskKind.CLASSIFY, 1, 0, 0, 10, Outcome.NOT_SENT, -1, -1, 0, 0, null));
        RunResult result = RunResult.of("f", LoadShape.closed(1, null, 5), 1, 1, 1, records, List.of(), 1.0);
        assertThat(result.counts()).isEqualTo(new Counts(4, 1, 0, 0, 2, 1, 1));
        assertThat(result.counts().complete()).isFalse();
        assertThat(result.failureReasons()).containsEntry("DEAD_LETTER: INVALID_REQUEST: x", 2).containsEntry("MISSING", 1);
    }

    @Test
    void scalingEfficiencyIsAgainstOneWorker() {
        LoadShape closed = LoadShape.closed(8, Duration.ofSeconds(10), 0);
        RunResult one = run("one", closed, 1, 10, 1_000, false);
        // two workers: 18 results in the same window, i.e. 1.8 documents/s against 1.0
        RunResult two = run("two", closed, 2, 18, 1_000, false);
        Scaling scaling = Scaling.of(List.of(new LoadStudy.Level(1, one, null, null), new LoadStudy.Level(2, two, null, null)));
        assertThat(scaling.points().get(1).throughput()).isCloseTo(18 / 18.0, within(1e-9));
        Scaling.Point point = scaling.points().get(1);
        assertThat(point.efficiency()).isCloseTo(point.throughput() / (2 * one.documentsPerSecond()), within(1e-9));
        assertThat(scaling.points().get(0).efficiency()).isCloseTo(1.0, within(1e-9));
        assertThat(scaling.meaningful()).isTrue();
        RunResult unsaturated = run("open", LoadShape.open(ArrivalSchedule.Shape.CONSTANT, 1, Duration.ofSeconds(10), 0), 2, 10, 100, false);
        assertThat(Scaling.of(List.of(new LoadStudy.Level(1, one, null, null), new LoadStudy.Level(2, unsaturated, null, null)))
                .meaningful()).isFalse();
    }

    /** Closed loop, results at the given seconds (each sent 4 s before it ended, not before 0), sending for 10 s. */
    static RunResult closedRun(String label, int workers, double... endSeconds) {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < endSeconds.length; i++) {
            long end = (long) (endSeconds[i] * 1e9);
            long sent = Math.max(0, end - 4_000_000_000L);
            records.add(new RequestRecord(label + i, TaskKind.CLASSIFY, 128, sent, sent, end, Outcome.DONE, 0, 3_000, 180, 1, null));
        }
        return RunResult.of(label, LoadShape.closed(8, Duration.ofSeconds(10), 0), workers, 1, 10, records, List.of(), 1.0);
    }

    static double[] every(double from, double step, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = from + i * step;
        }
        return values;
    }

    @Test
    void aClosedLoopsCapacityLeavesOutTheDrainInWhichWorkersFallIdle() {
        // one worker: a result every second while sending (1..10 s) and through the drain (11..14 s): busy to the end
        RunResult one = closedRun("one", 1, every(1, 1, 14));
        // two workers: two results a second while sending (0.5..10 s), then one worker idle: one a second (11..14 s)
        double[] two = new double[24];
        System.arraycopy(every(0.5, 0.5, 20), 0, two, 0, 20);
        System.arraycopy(every(11, 1, 4), 0, two, 20, 4);
        RunResult both = closedRun("two", 2, two);
        assertThat(one.steadyDocumentsPerSecond()).isCloseTo(9 / 9.0, within(1e-9)); // (1 s, 10 s]: 9 results
        assertThat(both.steadyDocumentsPerSecond()).isCloseTo(19 / 9.5, within(1e-9)); // (0.5 s, 10 s]: 19 results
        assertThat(both.documentsPerSecond()).isCloseTo(24 / 14.0, within(1e-9)); // the whole window, drain included
        assertThat(both.capacityPerSecond()).isEqualTo(both.steadyDocumentsPerSecond());
        Scaling scaling = Scaling.of(List.of(new LoadStudy.Level(1, one, null, null), new LoadStudy.Level(2, both, null, null)));
        // 2.0 against 2 x 1.0: linear; over the whole windows it would read (24 / 14) / (2 x 14 / 14) = 86%
        assertThat(scaling.points().get(1).efficiency()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void withoutASteadySpanTheCapacityIsTheWholeWindowsRate() {
        // open loop: the rate is what was offered, there is no full loop to measure
        RunResult open = run("open", LoadShape.open(ArrivalSchedule.Shape.CONSTANT, 1, Duration.ofSeconds(10), 0), 1, 10, 1_000, false);
        assertThat(open.steadyDocumentsPerSecond()).isNaN();
        assertThat(open.capacityPerSecond()).isEqualTo(open.documentsPerSecond());
        // closed loop whose first result came after sending ended (a short run): no span to measure
        RunResult late = closedRun("late", 1, 12, 13, 14);
        assertThat(late.steadyDocumentsPerSecond()).isNaN();
        assertThat(late.capacityPerSecond()).isCloseTo(3 / 6.0, within(1e-9)); // first send at 8 s, last answer at 14 s
        // one result in the span is not a rate
        assertThat(closedRun("few", 1, 9, 10, 13).steadyDocumentsPerSecond()).isNaN();
    }

    @Test
    void theStacksProcessesAreAccountedApartFromTheWorkersWithCpuPerDocument() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long sent = i * 500_000_000L;
            records.add(new RequestRecord("s" + i, TaskKind.CLASSIFY, 128, sent, sent, sent + 100_000_000, Outcome.DONE, 0, 50, 1, 1, null));
        }
        List<SystemSampler.Sample> samples = new ArrayList<>();
        for (int s = 0; s <= 10; s++) {
            // over 10 s: the worker uses 9 CPU seconds, this JVM 2, the registry 0.5
            samples.add(new SystemSampler.Sample(s, 0, 0, Map.of("w-0", new ProcStats.Reading(s * 0.9, 1_000_000_000L),
                    RunResult.STACK_PREFIX + "broker", new ProcStats.Reading(s * 0.2, 500_000_000L),
                    RunResult.STACK_PREFIX + "registry", new ProcStats.Reading(s * 0.05, 300_000_000L))));
        }
        RunResult result = RunResult.of("stack", LoadShape.closed(1, Duration.ofSeconds(10), 0), 1, 1, 10, records, samples, 1.0);
        assertThat(result.workerStats()).containsOnlyKeys("w-0");
        assertThat(result.stackStats()).containsOnlyKeys(RunResult.STACK_PREFIX + "broker", RunResult.STACK_PREFIX + "registry");
        // 20 documents: 450 ms of worker CPU each, 100 ms of broker/topology/generator, 25 ms of registry
        assertThat(result.workerStats().get("w-0").cpuMsPerDocument()).isCloseTo(450, within(1e-6));
        assertThat(result.stackStats().get(RunResult.STACK_PREFIX + "broker").cpuMsPerDocument()).isCloseTo(100, within(1e-6));
        assertThat(result.stackStats().get(RunResult.STACK_PREFIX + "broker").meanCpuPercent()).isCloseTo(20, within(1e-6));
        assertThat(result.stackStats().get(RunResult.STACK_PREFIX + "registry").cpuMsPerDocument()).isCloseTo(25, within(1e-6));
    }

    @Test
    void threadGroupsGetTheirShareOfACoreAndEndedThreadsTheRest() {
        List<RequestRecord> records = List.of(new RequestRecord("t0", TaskKind.CLASSIFY, 128, 0, 0, 100_000_000, Outcome.DONE, 0, 50,
                1, 1, null));
        List<SystemSampler.Sample> samples = new ArrayList<>();
        for (int s = 0; s <= 10; s++) {
            // the process uses 9 CPU seconds over 10 s; thread groups only in the first and the last sample
            Map<String, Map<String, Double>> threads = s == 0 ? Map.of("w-0", Map.of("engine", 1.0, "GC Thread", 0.1))
                    : s == 10 ? Map.of("w-0", Map.of("engine", 9.0, "GC Thread", 0.3, "late", 0.1)) : null;
            samples.add(new SystemSampler.Sample(s, 0, 0, Map.of("w-0", new ProcStats.Reading(1.1 + s * 0.9, 1_000_000_000L)),
                    threads));
        }
        RunResult result = RunResult.of("threads", LoadShape.closed(1, Duration.ofSeconds(10), 0), 1, 1, 10, records, samples, 1.0);
        Map<String, Double> percent = result.workerStats().get("w-0").threadCpuPercent();
        // engine 8 s = 80%, GC 0.2 s = 2%, a thread started during the run 0.1 s = 1%, 9 - 8.3 = 0.7 s ended = 7%
        assertThat(percent.keySet()).containsExactly("engine", RunResult.EXITED_THREADS, "GC Thread", "late");
        assertThat(percent.get("engine")).isCloseTo(80, within(1e-9));
        assertThat(percent.get(RunResult.EXITED_THREADS)).isCloseTo(7, within(1e-9));
        assertThat(percent.get("GC Thread")).isCloseTo(2, within(1e-9));
        assertThat(percent.get("late")).isCloseTo(1, within(1e-9));
    }

    @Test
    void withoutThreadSamplesThereIsNoThreadBreakdown() {
        RunResult result = run("plain", LoadShape.closed(1, null, 5), 1, 5, 100, false);
        assertThat(result.workerStats().get("w-0").threadCpuPercent()).isEmpty();
    }
}
