package io.bitnetstreams.engine.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TextProgressBarTest {

    private final StringWriter text = new StringWriter();
    private final AtomicLong clock = new AtomicLong();
    private final TextProgressBar bar = new TextProgressBar(new PrintWriter(text), clock::get, Duration.ofMillis(200));

    @Test
    void showsBytesPercentRateAndEta() {
        bar.started(URI.create("http://x/m"), 0, 100_000_000);
        clock.set(5_000_000_000L);
        bar.progress(50_000_000, 100_000_000);

        String line = text.toString().substring(text.toString().lastIndexOf('\r') + 1);
        assertThat(line).contains("[===============               ]", " 50.0%", "50.0 MB / 100.0 MB", "10.0 MB/s", "ETA 0:05");
    }

    @Test
    void rateCountsOnlyBytesOfThisRequestWhenResuming() {
        bar.started(URI.create("http://x/m"), 1_000_000_000, 2_000_000_000);
        clock.set(10_000_000_000L);
        bar.progress(1_100_000_000, 2_000_000_000);

        assertThat(text.toString()).contains("resuming at 1.00 GB", "10.0 MB/s", "ETA 1:30");
    }

    @Test
    void throttlesRedrawsButAlwaysDrawsCompletion() {
        bar.started(URI.create("http://x/m"), 0, 1_000);
        clock.set(1_000_000L);
        bar.progress(10, 1_000);
        bar.progress(20, 1_000);
        bar.progress(1_000, 1_000);
        bar.finished(Path.of("m"), 1_000);

        assertThat(text.toString().split("\r", -1)).hasSize(3); // the start and the completion
        assertThat(text.toString()).contains("100.0%").endsWith(System.lineSeparator());
    }

    @Test
    void unknownTotalShowsBytesOnly() {
        bar.started(URI.create("http://x/m"), 0, -1);
        clock.set(2_000_000_000L);
        bar.progress(3_000_000, -1);
        assertThat(text.toString()).contains("3.0 MB  1.5 MB/s").doesNotContain("%").doesNotContain("ETA");
    }

    @Test
    void formatsLongDurations() {
        assertThat(TextProgressBar.formatDuration(3_725)).isEqualTo("1:02:05");
        assertThat(TextProgressBar.formatBytes(999)).isEqualTo("999 B");
    }
}
