package org.fairgrove.pipeline.bench;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;

/**
 * One timed pipeline stage. Stages run in pipeline order on one work area per population size,
 * so a later stage reads what an earlier one wrote.
 */
public interface BenchStage {
  /** Stage name in results, e.g. "synth". */
  String name();

  /** What {@link #run} counts, e.g. "rows written" or "events read". */
  String unit();

  /** Runs the stage and returns how many units it processed. */
  long run(SparkSession spark, FairgroveConfig config);

  /** A stage from its name, unit and what it runs. */
  static BenchStage of(String name, String unit, Runner runner) {
    return new BenchStage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String unit() {
        return unit;
      }

      @Override
      public long run(SparkSession spark, FairgroveConfig config) {
        return runner.run(spark, config);
      }
    };
  }

  /** What a stage does. */
  @FunctionalInterface
  interface Runner {
    long run(SparkSession spark, FairgroveConfig config);
  }
}
