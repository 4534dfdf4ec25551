package org.fairgrove.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;

/**
 * One timed pipeline stage. Stages run in pipeline order on one work area per population size,
 * so a later stage reads what an earlier one wrote.
 *
 * @param name stage name in results, e.g. "synth"
 * @param unit what the stage counts, e.g. "rows written" or "events"
 * @param byDefault whether a run that names no stages runs it (false: only when named, for a
 *     stage that stands in for others, such as writing silver without ingest)
 * @param runner runs the stage and returns how many units it processed, and what else it found
 * @param baseline what the stage is compared with, timed just before it on the same inputs (the
 *     ratio of the two is the figure that survives a noisy machine); null for none
 * @param check what the stage needs of the configuration, checked before any stage runs
 */
public record BenchStage(String name, String unit, boolean byDefault, Runner runner,
    Runner baseline, Consumer<FairgroveConfig> check) {

  /** A stage every run that names no stages runs. */
  public BenchStage(String name, String unit, Runner runner) {
    this(name, unit, true, runner, null, config -> {});
  }

  /** A stage without a baseline. */
  public BenchStage(String name, String unit, boolean byDefault, Runner runner) {
    this(name, unit, byDefault, runner, null, config -> {});
  }

  /** A stage timed against a baseline. */
  public BenchStage(String name, String unit, boolean byDefault, Runner runner, Runner baseline) {
    this(name, unit, byDefault, runner, baseline, config -> {});
  }

  /** Runs the stage. */
  public Outcome run(SparkSession spark, FairgroveConfig config) {
    return runner.run(spark, config);
  }

  /**
   * What a stage processed, and its findings beyond timing (null for none), written with its
   * result (e.g. a simulation's rates).
   */
  public record Outcome(long units, JsonNode details) {
    public static Outcome of(long units) {
      return new Outcome(units, null);
    }
  }

  /** What a stage does. */
  @FunctionalInterface
  public interface Runner {
    Outcome run(SparkSession spark, FairgroveConfig config);
  }
}
