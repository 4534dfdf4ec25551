package org.fairgrove.jobs;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.stage.Stages;
import org.fairgrove.pipeline.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a task's model on gold.features (seeded search on the validation split,"
        + " optional recalibration) and register it as a candidate in registry.models.")
final class TrainCommand extends TaskCommand {
  @Option(names = "--engine", paramLabel = "xgboost|mllib-gbt",
      description = "Learning engine (task.train.engine).")
  String engine;

  @Override
  List<String> overrides() {
    List<String> sets = new ArrayList<>();
    addIfSet(sets, "task.train.engine", engine);
    return sets;
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Trainer.Result result = Stages.TRAIN.runAlone(spark, config);
    System.out.printf("Model %s (%s, %d trees, depth %d, learning rate %s) in %.1f s%n",
        result.modelId(), result.engine(), result.rounds(), result.chosen().maxDepth(),
        result.chosen().learningRate(), result.seconds());
    result.auroc().forEach((split, auroc) ->
        System.out.printf("  AUROC %-10s %.4f%n", split, auroc));
    System.out.println("Registered as a candidate; promote it with: fairgrove promote "
        + result.modelId());
    return 0;
  }
}
