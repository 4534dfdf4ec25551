package org.fairgrove.pipeline.bench;

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
 * @param runner runs the stage and returns how many units it processed
 */
public record BenchStage(String name, String unit, boolean byDefault, Runner runner) {

  /** A stage every run that names no stages runs. */
  public BenchStage(String name, String unit, Runner runner) {
    this(name, unit, true, runner);
  }

  /** Runs the stage and returns how many units it processed. */
  public long run(SparkSession spark, FairgroveConfig config) {
    return runner.run(spark, config);
  }

  /** What a stage does. */
  @FunctionalInterface
  public interface Runner {
    long run(SparkSession spark, FairgroveConfig config);
  }
}
