package org.fairgrove.pipeline.ingest;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both exports of the shared Synthea population, in one test class so that they run in one test
 * JVM: the population is generated and its CSV export ingested once ({@link SyntheaLakehouses}),
 * where two classes could land in different forks and each pay for both.
 */
@Tag("e2e")
@ExtendWith(SparkTestSession.class)
class SyntheaSourcesTest {
  @Nested
  class CsvExport extends SyntheaCsvIngestCases {
    CsvExport(SparkSession spark) {
      super(spark);
    }
  }

  @Nested
  class FhirExport extends FhirIngestCases {
    FhirExport(SparkSession spark) {
      super(spark);
    }
  }
}
