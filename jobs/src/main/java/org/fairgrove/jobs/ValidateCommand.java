package org.fairgrove.jobs;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.report.ValidationRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Validate a registered model on its task's held-out rows (test, temporal and"
        + " each external site), by subgroup: metrics to ops.validation_metrics, the governance"
        + " report (JSON, HTML, PDF) and model card to reports.dir/<task>/<model id>/.")
final class ValidateCommand extends TaskCommand {
  @Option(names = "--model-id", paramLabel = "ID", description = "A registered model instead of"
      + " the task's champion.")
  String modelId;

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    ValidationRun.Result result = ValidationRun.run(spark, config, modelId);
    System.out.printf("Validated %s (run %s)%n", result.modelId(), result.runId());
    if (result.flags().isEmpty()) {
      System.out.println("No slice flagged by the governance policy.");
    } else {
      System.out.println("Flagged slices:");
      result.flags().forEach(flag -> System.out.println("  " + flag));
    }
    System.out.println("Metrics appended to ops.validation_metrics");
    result.paths().forEach(path -> System.out.println("Wrote " + path));
    return 0;
  }
}
