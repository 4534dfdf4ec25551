package org.fairgrove.jobs;

import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.score.Scoring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score everyone of the task's target population who is under observation on"
        + " --as-of, with features as of that date, by the task's champion (or --model-id)"
        + " into gold.predictions; optionally export FHIR R4 RiskAssessments (Bulk Data NDJSON"
        + " and manifest).")
final class ScoreCommand extends TaskCommand {
  @Option(names = "--as-of", required = true, paramLabel = "DATE",
      description = "ISO date the risk is assessed on: only records up to it are read.")
  LocalDate asOf;

  @Option(names = "--model-id", paramLabel = "ID", description = "A registered model instead of"
      + " the champion.")
  String modelId;

  @Option(names = "--fhir-out", paramLabel = "DIR", description = "Also write the scores as"
      + " RiskAssessment.N.ndjson files with a manifest.json into this folder (earlier ones"
      + " there are replaced).")
  String fhirOut;

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Scoring.Result result = Scoring.score(spark, config, asOf, modelId,
        fhirOut == null ? null : Locations.resolve(fhirOut));
    System.out.print(result.summary(config.governance.smallCellThreshold()));
    return 0;
  }
}
