package io.bitnetstreams.loadtest.run;

import java.util.ArrayList;
import java.util.List;

/**
 * Throughput per worker count and the scaling efficiency against one worker: throughput(N) / (N x throughput(1)),
 * from the documents/s of each level's main run ({@link RunResult#capacityPerSecond()}: for a closed loop the rate
 * while the loop was full, without the drain at the end). That is the capacity only when the load saturated the workers
 * (closed loop, or an open-loop rate above capacity: {@link Point#saturated}); otherwise it is just the offered rate
 * and the efficiency says nothing. With a saturation search, each level's saturation rate is listed too.
 */
public record Scaling(List<Point> points) {

    /**
     * @param efficiency     1.0 = perfectly linear; NaN without a one-worker level
     * @param saturated      the main run kept the workers busy (closed loop, or open loop with growing lag)
     * @param saturationRate highest rate holding the SLO, NaN when not searched
     */
    public record Point(int workers, double throughput, double perWorker, double efficiency, boolean saturated,
                        double saturationRate) {
    }

    public static Scaling of(List<LoadStudy.Level> levels) {
        double base = Double.NaN;
        for (LoadStudy.Level level : levels) {
            if (level.workers() == 1) {
                base = level.main().capacityPerSecond();
            }
        }
        List<Point> points = new ArrayList<>();
        for (LoadStudy.Level level : levels) {
            RunResult main = level.main();
            double throughput = main.capacityPerSecond();
            int n = Math.max(1, level.workers());
            boolean saturated = !main.load().openLoop() || main.lagGrowing();
            double saturationRate = level.saturation() == null ? Double.NaN : level.saturation().rate();
            points.add(new Point(level.workers(), throughput, throughput / n, throughput / (n * base), saturated, saturationRate));
        }
        return new Scaling(points);
    }

    public boolean meaningful() {
        return points.size() > 1 && points.stream().allMatch(Point::saturated);
    }
}
