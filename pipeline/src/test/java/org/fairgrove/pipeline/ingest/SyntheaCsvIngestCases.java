package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real outside source: a small Synthea population, generated at test time, ingested with
 * --source-format synthea-csv, then taken through cohort and features for both shipped tasks.
 * Run by {@link SyntheaSourcesTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SyntheaCsvIngestCases {
  /** Columns of patients.csv that identify a person (DESIGN.md: never at rest, bronze too). */
  private static final List<String> IDENTIFIERS = List.of("id", "ssn", "drivers", "passport",
      "first", "middle", "last", "maiden", "birthplace", "address", "city", "zip", "lat", "lon");

  private final SparkSession spark;
  private Path csv;
  private FairgroveConfig config;
  private Lakehouse lakehouse;
  private IngestSummary summary;

  SyntheaCsvIngestCases(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void generateAndIngest() {
    csv = SyntheaLakehouses.source(IngestRequest.SYNTHEA_CSV);
    config = config("t2d-1y");
    lakehouse = SyntheaLakehouses.lakehouse(spark, IngestRequest.SYNTHEA_CSV);
    summary = SyntheaLakehouses.ingest(spark, IngestRequest.SYNTHEA_CSV);
  }

  private FairgroveConfig config(String task) {
    return SyntheaLakehouses.config(IngestRequest.SYNTHEA_CSV, task);
  }

  private Dataset<Row> source(String file) {
    return spark.read().option("header", "true").csv(csv.resolve(file + ".csv").toString());
  }

  @Test
  void everyPatientBecomesOneSilverPerson() {
    Dataset<Row> persons = lakehouse.read(Tables.silver("person"));
    long patients = source("patients").count();
    assertThat(patients).isGreaterThanOrEqualTo(40);
    assertThat(persons.count()).isEqualTo(patients);
    assertThat(persons.select("person_id").distinct().count()).isEqualTo(patients);
    assertThat(persons.where(col("gender_concept_id").equalTo(0)).count()).isZero();
  }

  @Test
  void countsPerTableReconcileWithTheSourceFiles() {
    assertThat(summary.tables()).allSatisfy(t -> assertThat(t.reconciles()).isTrue());
    assertThat(summary.table("person").rowsRead()).isEqualTo(source("patients").count());
    assertThat(summary.table("death").rowsRead())
        .isEqualTo(source("patients").where(col("DEATHDATE").isNotNull()).count());
    assertThat(summary.table("visit_occurrence").rowsRead())
        .isEqualTo(source("encounters").count());
    assertThat(summary.table("condition_occurrence").rowsRead())
        .isEqualTo(source("conditions").count());
    assertThat(summary.table("drug_exposure").rowsRead()).isEqualTo(source("medications").count());
    assertThat(summary.table("procedure_occurrence").rowsRead())
        .isEqualTo(source("procedures").count());
    assertThat(summary.table("measurement").rowsRead() + summary.table("observation").rowsRead())
        .isEqualTo(source("observations").count());
    assertThat(summary.table("measurement").rowsRead())
        .isEqualTo(source("observations").where(col("TYPE").equalTo("numeric")).count());
    assertThat(summary.table("payer_plan_period").rowsRead())
        .isEqualTo(source("payer_transitions").count());
    assertThat(summary.table("observation_period").rowsRead())
        .isEqualTo(source("encounters").select("PATIENT").distinct().count());
    // Synthea writes a few records that silver must refuse (quality-of-life summaries dated
    // months after death, for one): exactly those, worked out here from the files, are
    // quarantined; everything else lands in silver.
    Dataset<Row> observations = source("observations");
    Column numeric = col("TYPE").equalTo("numeric");
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("visit_occurrence", refused(source("encounters"), "START", "STOP"));
    expected.put("condition_occurrence", refused(source("conditions"), "START", "STOP"));
    expected.put("drug_exposure", refused(source("medications"), "START", "STOP"));
    expected.put("procedure_occurrence", refused(source("procedures"), "START", null));
    expected.put("measurement", refused(observations.where(numeric), "DATE", null));
    expected.put("observation", refused(observations.where(not(numeric)), "DATE", null));
    expected.put("payer_plan_period", refused(source("payer_transitions"), "START_DATE",
        "END_DATE"));
    expected.put("person", 0L);
    assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isPositive();
    expected.forEach((table, quarantined) -> {
      IngestSummary.TableCounts t = summary.table(table);
      assertThat(t.rowsQuarantined()).as(table).isEqualTo(quarantined);
      assertThat(lakehouse.read(Tables.silver(table)).count()).as(table)
          .isEqualTo(t.rowsAccepted());
    });
    assertThat(summary.table("person").columnsDropped()).contains("ssn", "first", "last", "address",
        "lat", "lon", "passport", "drivers");
    assertThat(summary.tables()).filteredOn(t -> t.table().equals("claims"))
        .singleElement().satisfies(t -> assertThat(t.status()).isEqualTo(
            IngestSummary.NOT_MAPPED));
  }

  /**
   * Rows of a Synthea file that an OMOP table may not hold: dated before the patient's birth or
   * more than ingest.max-days-after-death after the death, or ending before they start.
   */
  private long refused(Dataset<Row> rows, String start, String stop) {
    Dataset<Row> patients = source("patients").select(col("Id"), to_date(col("BIRTHDATE"))
        .as("birth"), to_date(col("DEATHDATE")).as("death"));
    Column day = to_date(substring(col(start), 1, 10));
    Column refused = day.lt(col("birth"))
        .or(day.gt(date_add(col("death"), config.ingest.maxDaysAfterDeath())));
    if (stop != null) {
      refused = refused.or(to_date(substring(col(stop), 1, 10)).lt(day));
    }
    return rows.join(patients, rows.col("PATIENT").equalTo(patients.col("Id")))
        .where(coalesce(refused, lit(false))).count();
  }

  @Test
  void noValueOfAnyIdentifierIsInAnyFileOfTheLakehouse() {
    Dataset<Row> patients = source("patients");
    Dataset<Row> identifiers = null;
    for (String column : IDENTIFIERS) {
      Dataset<Row> values = patients.select(col(column).as("value")).where(col("value")
          .isNotNull());
      identifiers = identifiers == null ? values : identifiers.union(values);
    }
    identifiers = identifiers.distinct().cache();
    // Each patient has at least its own id, SSN, first and last name, address, lat and lon.
    assertThat(identifiers.count()).isGreaterThanOrEqualTo(7 * patients.count());
    // Neither as a whole value nor inside free text: no name, SSN, licence, passport or street
    // address within a value.
    assertThat(ValuesAtRest.identifiers(spark, lakehouse, identifiers)).isEmpty();
    identifiers.unpersist();
  }

  @Test
  void theShippedTasksGiveNonEmptyCohortsAndFeatures() {
    for (String task : List.of("t2d-1y", "htn-1y")) {
      FairgroveConfig taskConfig = config(task);
      Cohort.Result cohort = Cohort.build(spark, taskConfig);
      assertThat(cohort.rows()).as(task).isPositive();
      Features.Result features = Features.build(spark, taskConfig);
      assertThat(features.rows()).as(task).isEqualTo(cohort.rows());
      assertThat(features.slots()).as(task).isGreaterThan(10);
      // Mapped concepts made it through: blood pressure and BMI measurements are feature slots.
      List<Integer> concepts = lakehouse.read(Tables.GOLD_FEATURE_DICTIONARY)
          .where(col("task_id").equalTo(lit(task)).and(col("domain").equalTo("measurement")))
          .select("concept_id").distinct().as(Encoders.INT()).collectAsList();
      assertThat(concepts).as(task).contains(3004249, 3038553);
    }
    List<String> payers = lakehouse.read(Tables.GOLD_COHORT).select("payer").distinct()
        .as(Encoders.STRING()).collectAsList().stream().filter(Objects::nonNull).toList();
    assertThat(payers).isNotEmpty().isSubsetOf("Commercial", "Medicare", "Medicaid",
        "Uninsured", "Dual Eligible");
  }
}
