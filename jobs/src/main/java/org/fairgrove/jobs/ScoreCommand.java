package org.fairgrove.jobs;

import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.score.Scoring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score each person's latest cohort row on or before --as-of with the task's"
        + " champion (or --model-id) into gold.predictions; optionally export FHIR R4"
        + " RiskAssessment NDJSON.")
final class ScoreCommand extends TaskCommand {
  @Option(names = "--as-of", required = true, paramLabel = "DATE",
      description = "ISO date: rows with an index date on or before it are scored.")
  LocalDate asOf;

  @Option(names = "--model-id", paramLabel = "ID", description = "A registered model instead of"
      + " the champion.")
  String modelId;

  @Option(names = "--fhir-out", paramLabel = "DIR", description = "Also write RiskAssessment"
      + " resources as NDJSON into this folder.")
  String fhirOut;

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Scoring.Result result = Scoring.score(spark, config, asOf, modelId,
        fhirOut == null ? null : Locations.resolve(fhirOut));
    System.out.printf("Scored %,d persons with %s into gold.predictions%n", result.rows(),
        result.modelId());
    if (result.fhirPath() != null) {
      System.out.println("FHIR RiskAssessment NDJSON: " + result.fhirPath());
    }
    return 0;
  }
}
