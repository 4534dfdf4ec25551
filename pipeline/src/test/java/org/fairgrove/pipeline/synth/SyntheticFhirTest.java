package org.fairgrove.pipeline.synth;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Schemas;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.FhirValidation;
import org.fairgrove.pipeline.testing.SameRows;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic population written as FHIR R4 Bulk Data (what the FHIR ingest benchmark reads):
 * the files an export holds, resources HAPI FHIR's validator accepts, and, ingested with
 * {@code fhir-ndjson}, the very records the same population writes as OMOP CSV.
 */
@Tag("e2e")
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyntheticFhirTest {
  private static final String PERSONS = "synth.persons=300";
  private static final String KEY = "deid.dev-key=synthetic-fhir-test-key-0123456789";
  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig fhir;
  private FairgroveConfig omop;
  private SynthResult written;
  private List<IngestSummary> ingested;

  SyntheticFhirTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void writeBothAndIngestFhir() {
    fhir = SparkTestSession.testConfig(dir.resolve("fhir"), PERSONS, KEY,
        "synth.format=fhir-ndjson");
    omop = SparkTestSession.testConfig(dir.resolve("omop"), PERSONS);
    written = SyntheticPopulation.generate(spark, fhir);
    SyntheticPopulation.generate(spark, omop);
    ingested = Ingest.syntheticPopulation(spark, fhir);
  }

  private Dataset<Row> omopSource(String table) {
    return spark.read().option("header", "true").schema(Schemas.load("omop/" + table))
        .csv(omop.synth.out() + "/*/" + table);
  }

  private Dataset<Row> silver(org.fairgrove.pipeline.lakehouse.Table table) {
    return new Lakehouse(spark, fhir.lakehouse.root()).read(table);
  }

  @Test
  void eachSiteHoldsNumberedNdjsonPerResourceTypeCountedInTheManifest() throws IOException {
    assertThat(written.rowsPerTable().keySet()).containsExactly("Patient", "Coverage", "Encounter",
        "Condition", "MedicationRequest", "Observation");
    for (Map.Entry<String, Long> type : written.rowsPerTable().entrySet()) {
      long lines = 0;
      for (String site : SyntheticPopulation.siteIds(fhir)) {
        try (Stream<Path> files = Files.list(Path.of(fhir.synth.out(), site))) {
          for (Path file : files.filter(f -> f.getFileName().toString()
              .matches(type.getKey() + "\\.\\d+\\.ndjson")).toList()) {
            lines += Files.readAllLines(file).size();
          }
        }
      }
      assertThat(lines).as(type.getKey()).isPositive().isEqualTo(type.getValue());
    }
    assertThat(written.rowsPerTable().get("Patient")).isEqualTo(omopSource("person").count());
  }

  @Test
  void hapiFhirsValidatorFindsNoErrorInTheResources() {
    String site = SyntheticPopulation.siteIds(fhir).get(0);
    FhirValidation.Report report = FhirValidation.validate(Path.of(fhir.synth.out(), site));
    assertThat(report.resources()).isPositive();
    assertThat(report.errors()).isEmpty();
    assertThat(report.warnings()).isEmpty();
  }

  /**
   * Every OMOP record arrives through FHIR, by concept, date and value. Person ids differ (a
   * FHIR id is text, pseudonymised by its hash), and observation periods too: FHIR has none, so
   * ingest takes them from first to last encounter.
   */
  @Test
  void ingestedItGivesTheRecordsTheOmopExportHolds() {
    assertThat(ingested).allMatch(s -> s.tables().stream().allMatch(t -> t.rowsQuarantined() == 0));
    assertSame(silver(Tables.SILVER_PERSON), omopSource("person"), "gender_concept_id",
        "race_concept_id", "ethnicity_concept_id");
    assertSame(silver(Tables.SILVER_DEATH), omopSource("death"), "death_date");
    assertSame(silver(Tables.SILVER_VISIT), omopSource("visit_occurrence"), "visit_concept_id",
        "visit_start_date", "visit_end_date");
    assertSame(silver(Tables.SILVER_CONDITION), omopSource("condition_occurrence"),
        "condition_concept_id", "condition_source_value", "condition_start_date");
    assertSame(silver(Tables.SILVER_DRUG), omopSource("drug_exposure"), "drug_concept_id",
        "drug_exposure_start_date", "quantity");
    assertSame(silver(Tables.SILVER_MEASUREMENT), omopSource("measurement"),
        "measurement_concept_id", "measurement_date", "value_as_number", "unit_source_value");
    assertSame(silver(Tables.SILVER_PAYER_PLAN_PERIOD), omopSource("payer_plan_period"),
        "payer_source_value", "payer_plan_period_start_date", "payer_plan_period_end_date");
  }

  private static void assertSame(Dataset<Row> fromFhir, Dataset<Row> fromOmop,
      String... columns) {
    Dataset<Row> a = fromFhir.select(cast(columns));
    Dataset<Row> b = fromOmop.select(cast(columns));
    assertThat(a.isEmpty()).as(String.join(",", columns)).isFalse();
    SameRows.assertSame("FHIR (first) and OMOP " + String.join(",", columns), a, b);
  }

  private static org.apache.spark.sql.Column[] cast(String... columns) {
    return Stream.of(columns).map(c -> col(c).cast("string").as(c))
        .toArray(org.apache.spark.sql.Column[]::new);
  }
}
