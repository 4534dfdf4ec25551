package org.fairgrove.jobs;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.validate.ProvidedPredictions;
import org.fairgrove.pipeline.validate.ValidationRun;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {
        "Validate a model by subgroup and write the governance report (JSON, HTML, PDF) and"
            + " model card to reports.dir/<task>/<model id>/; metrics to"
            + " ops.validation_metrics, the predictions used to gold.validation_predictions.",
        "A registered model is validated on its task's held-out rows (test, temporal, each"
            + " external site); with --predictions, predictions made elsewhere (a vendor's"
            + " model scored on your patients) are validated the same way."})
final class ValidateCommand extends TaskCommand {
  @Option(names = "--model-id", paramLabel = "ID", description = "A registered model instead of"
      + " the task's champion.")
  String modelId;

  @ArgGroup(exclusive = false, heading = "%nPredictions made elsewhere:%n")
  Provided provided;

  /** The options of `validate --predictions`. */
  static final class Provided {
    @Option(names = "--predictions", required = true, paramLabel = "PATH",
        description = "File or folder of predictions: a label, a risk and the slicing"
            + " attributes per row (governance.attributes).")
    String path;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv",
        description = "csv (with a header row), parquet or delta. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--model-name", required = true, paramLabel = "NAME",
        description = "The model's name, as its developer calls it.")
    String name;

    @Option(names = "--model-version", required = true, paramLabel = "VERSION")
    String version;

    @Option(names = "--developer", required = true, paramLabel = "NAME",
        description = "Who developed the model (a vendor, a team).")
    String developer;

    @Option(names = "--label-column", paramLabel = "COLUMN", defaultValue = "label",
        description = "The observed outcome, 0 or 1. Default: ${DEFAULT-VALUE}.")
    String label;

    @Option(names = "--risk-column", paramLabel = "COLUMN", defaultValue = "risk",
        description = "The predicted risk, 0..1. Default: ${DEFAULT-VALUE}.")
    String risk;

    @Option(names = "--key-column", paramLabel = "COLUMN",
        description = "A unique row key; without it each row's key is derived from its"
            + " content.")
    String key;

    @Option(names = "--attribute-column", paramLabel = "ATTRIBUTE=COLUMN",
        description = "The column holding a slicing attribute, where it is named otherwise"
            + " (e.g. sex=gender). Repeatable.")
    Map<String, String> attributes = new LinkedHashMap<>();
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    ValidationRun.Result result = provided == null
        ? ValidationRun.run(spark, config, modelId)
        : ValidationRun.runOnPredictions(spark, config, new ProvidedPredictions(provided.path,
            Options.choice(ProvidedPredictions.Format.class, "--format", provided.format),
            provided.label, provided.risk, provided.key, provided.attributes, provided.name,
            provided.version, provided.developer));
    System.out.printf("Validated %s (run %s)%n", result.modelId(), result.runId());
    System.out.println("Decision: " + result.decision().label().toUpperCase(Locale.ROOT));
    System.out.println("Findings: " + result.findingsSummary()
        + (result.findings().isEmpty() ? "." : ":"));
    result.findings().forEach(f -> System.out.println("  " + f.describe()));
    System.out.println("Metrics appended to ops.validation_metrics");
    result.paths().forEach(path -> System.out.println("Wrote " + path));
    return 0;
  }
}
