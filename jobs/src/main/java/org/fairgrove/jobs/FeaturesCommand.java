package org.fairgrove.jobs;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.stage.Stages;
import picocli.CommandLine.Command;

@Command(name = "features", mixinStandardHelpOptions = true,
    description = "Build gold.features for a task (one row per cohort row, a sparse vector of"
        + " windowed features from events strictly before index) and gold.feature_dictionary.")
final class FeaturesCommand extends TaskCommand {
  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Features.Result result = Stages.FEATURES.runAlone(spark, config);
    System.out.printf("Features for %s: %,d rows, %,d slots, dictionary %s%n", result.taskId(),
        result.rows(), result.slots(), result.dictionaryHash());
    System.out.println("Tables: gold.features, gold.feature_dictionary");
    return 0;
  }
}
