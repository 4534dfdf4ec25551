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
}
