package io.bitnetstreams.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import io.bitnetstreams.loadtest.measure.Outcome;
import io.bitnetstreams.loadtest.measure.ProcStats;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import io.bitnetstreams.loadtest.measure.SystemSampler;
import io.bitnetstreams.loadtest.run.LoadStudy;
import io.bitnetstreams.loadtest.run.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    @TempDir
    Path dir;

    private static RunResult run(String label, int workers, int n) {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long sent = i * 250_000_000L;
            records.add(new RequestRecord(label + i, TaskKind.CLASSIFY, 128, sent, sent, sent + (200 + i) * 1_000_000L,
                    i == 0 ? Outcome.DEAD_LETTER : Outcome.DONE, 3, 150, 180, 1, i == 0 ? "INVALID_REQUEST: \"x\", y" : null));
        }
        List<SystemSampler.Sample> samples = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            samples.add(new SystemSampler.Sample(s, 1, 0, Map.of("w-0", new ProcStats.Reading(s * 0.5, 900_000_000L))));
        }
        return RunResult.of(label, LoadShape.closed(4, Duration.ofSeconds(5), 0), workers, 1, 5, records, samples, 1.0);
    }

    @Test
    void writesJsonMarkdownChartsAndOneCsvLinePerRequest() throws Exception {
        List<LoadStudy.Level> levels = List.of(new LoadStudy.Level(1, run("1 worker", 1, 20), null, null),
                new LoadStudy.Level(2, run("2 workers", 2, 36), null, null));
        ReportContext context = new ReportContext("bin/bitnet-streams loadtest --scale 1,2", "t0", "t1", "m.gguf", 1_000, 2,
                "1.00 1.00 1.00", "1.10 1.00 1.00", "random words", 1, List.of("a note"));
        Path markdown = ReportWriter.write(dir, context, levels);

        String md = Files.readString(markdown);
        assertThat(md).contains("--scale 1,2", "a note", "## Scaling", "| 2 | ", "charts/scaling.png", "charts/latency-cdf.png");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        JsonNode main = json.get("levels").get(1).get("main");
        assertThat(main.get("counts").get("sent").asInt()).isEqualTo(36);
        assertThat(main.get("counts").get("deadLetters").asInt()).isEqualTo(1);
        assertThat(main.get("latency").get("endToEnd").get("p99").asDouble()).isPositive();
        assertThat(main.get("load").get("in_flight").asInt()).isEqualTo(4);
        assertThat(json.get("scaling").get("points")).hasSize(2);
        for (String chart : List.of("1-worker-latency.png", "1-worker-throughput.png", "1-worker-lag.png", "1-worker-cpu.png",
                "1-worker-rss.png", "2-workers-latency.png", "latency-cdf.png", "scaling.png")) {
            byte[] png = Files.readAllBytes(dir.resolve("charts").resolve(chart));
            assertThat(png).as(chart).startsWith(0x89, 'P', 'N', 'G');
        }
        List<String> csv = Files.readAllLines(dir.resolve("requests").resolve("2-workers.csv"));
        assertThat(csv).hasSize(37);
        assertThat(csv.get(1)).contains("DEAD_LETTER", "\"INVALID_REQUEST: \"\"x\"\", y\"");
        String summary = Markdown.summary(context, levels, markdown);
        assertThat(summary).contains("sent 36: 35 results", "1 dead letters", "scaling:", "2 worker(s)");
    }
}
