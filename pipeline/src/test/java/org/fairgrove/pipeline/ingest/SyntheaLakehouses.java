package org.fairgrove.pipeline.ingest;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.testing.SyntheaRunner;
import org.fairgrove.pipeline.testing.TempFolders;

/**
 * The shared Synthea population ({@link SyntheaRunner#shared}) ingested once per test JVM in each
 * of its two exports, each into a lakehouse of its own, so tests of one format and tests that
 * compare the two share the work.
 */
public final class SyntheaLakehouses {
  private static final Map<String, IngestSummary> INGESTED = new HashMap<>();
  private static Path root;

  private SyntheaLakehouses() {}

  /** The folder of the population's export in the format (csv or fhir). */
  public static Path source(String format) {
    SyntheaRunner.Export export = SyntheaRunner.shared();
    return format.equals(IngestRequest.FHIR_NDJSON) ? export.fhir() : export.csv();
  }

  /** The format's batch ingested (once) as site SYN; its summary. */
  public static synchronized IngestSummary ingest(SparkSession spark, String format) {
    return INGESTED.computeIfAbsent(format, f -> Ingest.run(spark, config(f, "t2d-1y"),
        new IngestRequest(f, source(f).toString(), "SYN")));
  }

  /** The configuration of the format's lakehouse, with a shipped task. */
  public static synchronized FairgroveConfig config(String format, String task) {
    if (root == null) {
      root = TempFolders.deletedAtExit("fairgrove-synthea-lakehouses");
    }
    return SparkTestSession.testConfig(root.resolve(format), List.of("tasks/" + task),
        "deid.dev-key=" + IngestMalformedInputTest.KEY, "task.features.min-persons=5");
  }

  public static Lakehouse lakehouse(SparkSession spark, String format) {
    return new Lakehouse(spark, config(format, "t2d-1y").lakehouse.root());
  }
}
