package org.fairgrove.jobs;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.train.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "promote", mixinStandardHelpOptions = true,
    description = "Make a registered model its task's champion (the previous one is archived).")
final class PromoteCommand extends SparkCommand {
  @Parameters(paramLabel = "MODEL_ID", description = "A model id from `fairgrove models`.")
  String modelId;

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Registry.Entry model =
        new Registry(spark, new Lakehouse(spark, config.lakehouse.root())).promote(modelId);
    System.out.println("Champion for task " + model.taskId() + ": " + model.modelId());
    return 0;
  }
}
