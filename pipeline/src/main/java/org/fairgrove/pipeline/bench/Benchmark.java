package org.fairgrove.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;

/**
 * Times each stage at each configured population size and writes one JSON file of results
 * (stage, size, seconds, units/s, peak memory) to bench.out.
 */
public final class Benchmark {
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private Benchmark() {}

  /** One stage at one size; the baseline's figures null for a stage without one. */
  public record Result(String stage, long persons, String unit, long units, double seconds,
      Double baselineSeconds, JsonNode baselineDetails, long peakHeapBytes, long peakRssBytes,
      ObjectNode jobs, JsonNode details) {
    public double unitsPerSecond() {
      return units / Math.max(seconds, 1e-9);
    }
  }

  /** Runs the benchmark and returns the path of the JSON file written. */
  public static Path run(SparkSession spark, FairgroveConfig config, List<BenchStage> available) {
    List<BenchStage> stages = select(config, available);
    List<Result> results = new ArrayList<>();
    Instant started = Instant.now();
    for (long persons : config.bench.sizes()) {
      Path work = Path.of(config.bench.workDir(), "persons-" + persons);
      deleteRecursively(work);
      FairgroveConfig sized = config.with(List.of(
          "synth.persons=" + persons,
          "synth.out=" + work.resolve("sources"),
          "lakehouse.root=" + work.resolve("lakehouse"),
          "reports.dir=" + work.resolve("reports")));
      for (BenchStage stage : stages) {
        Timed baselineRun = null;
        if (stage.baseline() != null) {
          Progress.info("bench: %s baseline at %s persons", stage.name(),
              Progress.count(persons));
          baselineRun = timed(spark, sized, stage.baseline());
        }
        Double baseline = baselineRun == null ? null : baselineRun.seconds;
        Progress.info("bench: %s at %s persons", stage.name(), Progress.count(persons));
        Timed timed = timed(spark, sized, stage.runner());
        Result result = new Result(stage.name(), persons, stage.unit(), timed.outcome.units(),
            timed.seconds, baseline, baselineRun == null ? null : baselineRun.outcome.details(),
            timed.peakHeap, timed.peakRss, timed.jobs, timed.outcome.details());
        Progress.info("bench: %s at %s persons: %.1f s, %s %s/s%s", stage.name(),
            Progress.count(persons), timed.seconds,
            Progress.count(Math.round(result.unitsPerSecond())), stage.unit(),
            baseline == null ? "" : String.format(java.util.Locale.ROOT,
                " (%.2f x the baseline's %.1f s)", timed.seconds / baseline, baseline));
        results.add(result);
      }
      deleteRecursively(work);
    }
    return write(config, started, results);
  }

  /** One timed run of a stage: its outcome, time, peak memory and Spark jobs. */
  private record Timed(BenchStage.Outcome outcome, double seconds, long peakHeap, long peakRss,
      ObjectNode jobs) {}

  private static Timed timed(SparkSession spark, FairgroveConfig config,
      BenchStage.Runner runner) {
    System.gc();
    MemoryProbe.reset();
    JobTimes jobs = new JobTimes();
    spark.sparkContext().addSparkListener(jobs);
    long start = System.nanoTime();
    try {
      BenchStage.Outcome outcome = runner.run(spark, config);
      double seconds = (System.nanoTime() - start) / 1e9;
      awaitListeners(spark);
      return new Timed(outcome, seconds, MemoryProbe.peakHeapBytes(),
          MemoryProbe.peakRssBytes(), jobs.summary());
    } finally {
      spark.sparkContext().removeSparkListener(jobs);
    }
  }

  /** Job ends reach listeners asynchronously: let the last ones arrive before summing. */
  private static void awaitListeners(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      Progress.info("bench: Spark's listener bus did not drain; the job summary may miss the"
          + " last jobs");
    }
  }

  private static List<BenchStage> select(FairgroveConfig config, List<BenchStage> available) {
    List<String> wanted = config.bench.stages();
    if (wanted.isEmpty()) {
      return available.stream().filter(BenchStage::byDefault).toList();
    }
    List<String> names = available.stream().map(BenchStage::name).toList();
    for (String name : wanted) {
      if (!names.contains(name)) {
        throw Errors.invalidConfigValue("bench.stages", "--stages or bench.stages",
            "'" + name + "' is not a stage that exists.", "a list drawn from " + names);
      }
    }
    List<BenchStage> chosen = available.stream().filter(s -> wanted.contains(s.name())).toList();
    chosen.forEach(stage -> stage.check().accept(config));
    return chosen;
  }

  private static Path write(FairgroveConfig config, Instant started, List<Result> results) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("started", started.toString());
    ObjectNode machine = root.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    machine.put("java", System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    machine.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    machine.put("jvm_args", String.join(" ",
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-Xm")).toList()));
    ArrayNode rows = root.putArray("results");
    for (Result r : results) {
      ObjectNode row = rows.addObject();
      row.put("stage", r.stage());
      row.put("persons", r.persons());
      row.put("unit", r.unit());
      row.put("units", r.units());
      row.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
      row.put("units_per_second", Math.round(r.unitsPerSecond()));
      row.put("peak_heap_bytes", r.peakHeapBytes());
      row.put("peak_rss_bytes", r.peakRssBytes());
      if (r.baselineSeconds() != null) {
        row.put("baseline_seconds", Math.round(r.baselineSeconds() * 1000) / 1000.0);
        row.put("ratio_to_baseline", Math.round(r.seconds() / r.baselineSeconds() * 1000)
            / 1000.0);
        if (r.baselineDetails() != null) {
          row.set("baseline_details", r.baselineDetails());
        }
      }
      row.set("spark_jobs", r.jobs());
      if (r.details() != null) {
        row.set("details", r.details());
      }
    }
    Path out = Path.of(Locations.resolve(config.bench.out()))
        .resolve("bench-" + FILE_TIME.format(started) + ".json");
    try {
      Files.createDirectories(out.getParent());
      json.writeValue(out.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("Writing benchmark results to " + out + " failed", e);
    }
    return out;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Clearing benchmark work folder " + dir + " failed", e);
    }
  }
}
