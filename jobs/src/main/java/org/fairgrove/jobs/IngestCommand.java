package org.fairgrove.jobs;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestRequest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {
        "Land one batch of records from one site: every row as the de-identification guard"
            + " lets it through in bronze.<table> (with its file, position and a keyed hash of"
            + " the raw row; no identifier is kept), accepted rows merged into silver.<table> by"
            + " natural key, rows that cannot be conformed in ops.quarantine, counts in ops.ingest_log,"
            + " data quality checks in ops.dq_results.",
        "DIR holds DIR/<table>/part-*.csv|parquet or DIR/<table>.csv|parquet (what `fairgrove"
            + " synth` writes per site), or FHIR Bulk Data NDJSON (DIR/Patient.ndjson,"
            + " Encounter.ndjson, ..., plain or .gz). A batch is identified by its content:"
            + " ingesting it again changes nothing.",
        "Person ids are pseudonymised with the key in $FAIRGROVE_PSEUDONYM_KEY (deid.key-env)."})
final class IngestCommand extends SparkCommand {
  @Option(names = "--source-format", required = true, paramLabel = "FORMAT",
      description = "omop-csv, omop-parquet, synthea-csv (the csv folder of Synthea's CSV"
          + " export) or fhir-ndjson (FHIR R4 Bulk Data: one NDJSON file per resource type).")
  String sourceFormat;

  @Option(names = "--path", required = true, paramLabel = "DIR", description = "The batch's"
      + " source folder.")
  String path;

  @Option(names = "--site", required = true, paramLabel = "SITE_ID", description = "The"
      + " contributing site (hospital) id, e.g. S1.")
  String site;

  @Option(names = "--force", description = "Ingest even if the ingest log has the batch"
      + " (ingest.force); the tables end with the same content.")
  Boolean force;

  @Override
  List<String> overrides() {
    List<String> sets = new ArrayList<>();
    addIfSet(sets, "ingest.force", force);
    return sets;
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    IngestSummary summary = Ingest.run(spark, config,
        new IngestRequest(sourceFormat, Locations.resolve(path), site));
    System.out.print(summary.render());
    return 0;
  }
}
