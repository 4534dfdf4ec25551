package org.fairgrove.jobs;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.stage.Stages;
import picocli.CommandLine.Command;

@Command(name = "cohort", mixinStandardHelpOptions = true,
    description = "Build gold.cohort for a task from silver: index dates, labels, time at risk,"
        + " slicing attributes and split; print and write the attrition table"
        + " (gold.cohort_attrition, small counts suppressed).")
final class CohortCommand extends TaskCommand {
  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    System.out.print(Stages.COHORT.runAlone(spark, config).summary(config.governance.smallCellThreshold()));
    return 0;
  }
}
