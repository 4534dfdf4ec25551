package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
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
import org.fairgrove.pipeline.omop.Concepts;
import org.fairgrove.pipeline.testing.SameRows;
import org.fairgrove.pipeline.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real FHIR: the Synthea population of {@link SyntheaLakehouses}, exported by Synthea's bulk FHIR
 * exporter, ingested with --source-format fhir-ndjson, and compared with the same population
 * from Synthea's CSV exporter: the two exports must give the same silver content, except for the
 * differences between Synthea's two exporters that are named (and pinned) here. Run by
 * {@link SyntheaSourcesTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FhirIngestCases {
  /** Synthea's yearly disability- and quality-adjusted life years and quality of life score. */
  private static final List<String> QUALITY_OF_LIFE = List.of("DALY", "QALY", "QOLS");

  private final SparkSession spark;
  private IngestSummary summary;
  private Lakehouse fhir;
  private Lakehouse csv;

  FhirIngestCases(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void ingestBothExports() {
    summary = SyntheaLakehouses.ingest(spark, IngestRequest.FHIR_NDJSON);
    SyntheaLakehouses.ingest(spark, IngestRequest.SYNTHEA_CSV);
    fhir = SyntheaLakehouses.lakehouse(spark, IngestRequest.FHIR_NDJSON);
    csv = SyntheaLakehouses.lakehouse(spark, IngestRequest.SYNTHEA_CSV);
  }

  /** A resource file of the export, read by Spark's JSON reader with the schema it infers. */
  private Dataset<Row> resources(String type) {
    return spark.read().json(SyntheaLakehouses.source(IngestRequest.FHIR_NDJSON)
        .resolve(type + ".ndjson").toString());
  }

  @Test
  void everyPatientIsOneSilverPersonWithThePseudonymTheCsvExportGives() {
    Dataset<Row> persons = fhir.read(Tables.silver("person"));
    long patients = resources("Patient").count();
    assertThat(patients).isGreaterThanOrEqualTo(40);
    assertThat(persons.count()).isEqualTo(patients);
    assertThat(persons.select("person_id").distinct().count()).isEqualTo(patients);
    assertThat(persons.where(col("race_concept_id").equalTo(0)).count()).isZero();
    assertSame("person", "person_id", "gender_concept_id", "year_of_birth", "race_concept_id",
        "ethnicity_concept_id", "zip3");
  }

  @Test
  void countsPerTableReconcileWithTheResourceFiles() {
    assertThat(summary.tables()).allSatisfy(t -> assertThat(t.reconciles()).isTrue());
    assertThat(summary.table("person").rowsRead()).isEqualTo(resources("Patient").count());
    assertThat(summary.table("death").rowsRead()).isEqualTo(resources("Patient")
        .where(col("deceasedDateTime").isNotNull()).count());
    Dataset<Row> encounters = resources("Encounter");
    assertThat(summary.table("visit_occurrence").rowsRead()).isEqualTo(encounters.count());
    assertThat(summary.table("observation_period").rowsRead())
        .isEqualTo(encounters.select("subject.reference").distinct().count());
    assertThat(summary.table("condition_occurrence").rowsRead())
        .isEqualTo(resources("Condition").count());
    assertThat(summary.table("procedure_occurrence").rowsRead())
        .isEqualTo(resources("Procedure").count());
    assertThat(summary.table("drug_exposure").rowsRead()).isEqualTo(
        resources("MedicationRequest").count() + resources("MedicationAdministration").count());
    // An Observation gives one row per component (blood pressure: systolic and diastolic).
    Dataset<Row> observations = resources("Observation");
    long rows = observations.select(sum(greatest(coalesce(size(col("component")), lit(0)),
        lit(1)))).as(Encoders.LONG()).first();
    assertThat(summary.table("measurement").rowsRead() + summary.table("observation").rowsRead())
        .isEqualTo(rows);
    long quantities = observations.where(col("valueQuantity").isNotNull()).count()
        + observations.select(explode(col("component")).as("c"))
            .where(col("c.valueQuantity").isNotNull()).count();
    assertThat(summary.table("measurement").rowsRead()).isEqualTo(quantities);
    // Synthea's bulk export has no Coverage; the resource types not mapped stay unread.
    assertThat(summary.table("payer_plan_period").status()).isEqualTo(IngestSummary.ABSENT);
    assertThat(summary.tables()).filteredOn(t -> t.table().equals("claim")).singleElement()
        .satisfies(t -> assertThat(t.status()).isEqualTo(IngestSummary.NOT_MAPPED));
    // What the CSV export quarantines (records dated after death), this export does too.
    for (String table : List.of("visit_occurrence", "condition_occurrence",
        "procedure_occurrence")) {
      assertThat(summary.table(table).rowsQuarantined()).as(table).isEqualTo(
          SyntheaLakehouses.ingest(spark, IngestRequest.SYNTHEA_CSV).table(table)
              .rowsQuarantined());
    }
  }

  @Test
  void noValueOfAnyPatientIdentifierIsInAnyFileOfTheLakehouse() {
    Dataset<Row> patients = resources("Patient");
    Dataset<Row> identifiers = values(patients, "id")
        .union(values(patients.select(explode(col("identifier")).as("i")), "i.value"))
        .union(values(patients.select(explode(col("name")).as("n")), "n.family"))
        .union(values(patients.select(explode(col("name")).as("n"))
            .select(explode(col("n.given")).as("g")), "g"))
        .union(values(patients.select(explode(col("telecom")).as("t")), "t.value"))
        .union(values(patients.select(explode(col("address")).as("a")), "a.city"))
        .union(values(patients.select(explode(col("address")).as("a")), "a.postalCode"))
        .union(values(patients.select(explode(col("address")).as("a"))
            .select(explode(col("a.line")).as("l")), "l"))
        .union(values(patients.select(explode(col("extension")).as("e"))
            .where(col("e.url").endsWith("patient-mothersMaidenName")), "e.valueString"))
        .distinct().cache();
    // Each patient has at least its id, MRN, SSN, licence, family and given name, phone and
    // street address.
    assertThat(identifiers.count()).isGreaterThanOrEqualTo(6 * patients.count());
    assertThat(ValuesAtRest.identifiers(spark, fhir, identifiers)).isEmpty();
    identifiers.unpersist();
  }

  private static Dataset<Row> values(Dataset<Row> rows, String column) {
    return rows.select(col(column).cast("string").as("value")).where(col("value").isNotNull());
  }

  @Test
  void theSameRecordsAsTheCsvExportExceptWhereSyntheasExportersDiffer() {
    assertSame("death", "person_id", "death_date");
    assertSame("observation_period", "person_id", "observation_period_start_date",
        "observation_period_end_date");
    // Condition ids differ: FHIR's are the resource ids, CSV's a hash of the row's key.
    assertSame("condition_occurrence", "person_id",
        "condition_concept_id", "condition_source_value", "condition_start_date",
        "condition_end_date", "visit_occurrence_id");
    assertSame("procedure_occurrence", "person_id", "procedure_concept_id",
        "procedure_source_value", "procedure_date", "visit_occurrence_id");
    // Visits: same ids (the encounter UUIDs) and dates. FHIR's Encounter.class folds Synthea's
    // urgent care into AMB (outpatient) and its skilled nursing into IMP (inpatient).
    assertSame("visit_occurrence", "visit_occurrence_id", "person_id", "visit_start_date",
        "visit_end_date");
    List<String> reclassified = fhir.read(Tables.silver("visit_occurrence")).as("f")
        .join(csv.read(Tables.silver("visit_occurrence")).as("c"), "visit_occurrence_id")
        .where(col("f.visit_concept_id").notEqual(col("c.visit_concept_id")))
        .select(expr("concat(c.visit_source_value, '>', f.visit_source_value, ':',"
            + " f.visit_concept_id)")).distinct().as(Encoders.STRING()).collectAsList();
    assertThat(reclassified).contains("urgentcare>AMB:" + Concepts.VISIT_OUTPATIENT)
        .isSubsetOf("urgentcare>AMB:" + Concepts.VISIT_OUTPATIENT,
            "snf>IMP:" + Concepts.VISIT_INPATIENT);
    // Drugs: every CSV medication is one MedicationRequest; FHIR adds the administrations.
    // A request has no end date, so the CSV medications that stop before they start (and are
    // quarantined, end_before_start) are accepted from FHIR: bronze has them from CSV.
    Dataset<Row> prescriptions = fhir.read(Tables.silver("drug_exposure"))
        .where(col("drug_type_concept_id").equalTo(Concepts.TYPE_EHR_PRESCRIPTION));
    Dataset<Row> medications = csv.read(Tables.bronze("drug_exposure"))
        .where(col(Conform.REASON).isNull()
            .or(col(Conform.REASON).equalTo(Conform.END_BEFORE_START)));
    assertSameRows(prescriptions, medications, "person_id",
        "drug_concept_id", "drug_source_value", "drug_exposure_start_date",
        "visit_occurrence_id");
    assertThat(fhir.read(Tables.silver("drug_exposure")).where(col("drug_type_concept_id")
        .equalTo(Concepts.TYPE_EHR_ADMINISTRATION)).count())
        .isEqualTo(summary.table("drug_exposure").rowsAccepted() - prescriptions.count())
        .isPositive();
    assertSameObservations();
  }

  /**
   * Observations: the same records by person, code and date over measurement and observation.
   * Synthea's CSV exporter types a few survey answers as text (family income, priority level)
   * that its FHIR exporter sends as quantities, so those move between the two tables; and it
   * rounds numeric values to one decimal, where FHIR keeps the full value. Its yearly
   * quality-of-life scores are CSV observations only (FHIR puts them in Patient extensions).
   */
  private void assertSameObservations() {
    // CSV rows have no id: a row sent twice (a lab panel drawn twice at a visit with the same
    // values) is one record there, duplicates after the first; FHIR sends two resources. Bronze
    // keeps every CSV row.
    assertSameRows(observations(fhir.read(Tables.silver("measurement")),
        fhir.read(Tables.silver("observation"))), observations(csv.read(Tables.bronze(
        "measurement")), csv.read(Tables.bronze("observation")))
        .where(col(Conform.REASON).isNull()
            .and(col("code").isin(QUALITY_OF_LIFE.toArray()).equalTo(false))),
        "person_id", "code", "date");
    Dataset<Row> onceInBoth = keyedOnce(fhir).join(keyedOnce(csv).withColumnRenamed("value",
        "csv_value"), List.of("person_id", "code", "date").toArray(String[]::new));
    assertThat(onceInBoth.count()).isGreaterThan(1000);
    assertThat(onceInBoth.where(abs(col("value").minus(col("csv_value"))).gt(0.05 + 1e-9))
        .count()).isZero();
  }

  /** Measurements and observations by person, code and date, with bronze's verdict if any. */
  private static Dataset<Row> observations(Dataset<Row> measurements,
      Dataset<Row> observations) {
    return keyed(measurements, "measurement").unionByName(keyed(observations, "observation"));
  }

  private static Dataset<Row> keyed(Dataset<Row> rows, String table) {
    Column reason = List.of(rows.columns()).contains(Conform.REASON) ? col(Conform.REASON)
        : lit(null).cast("string");
    return rows.select(col("person_id"), col(table + "_source_value").as("code"),
        col(table + "_date").as("date"), reason.as(Conform.REASON));
  }

  /** Numeric measurements whose person, code and date occur once: their value. */
  private static Dataset<Row> keyedOnce(Lakehouse lakehouse) {
    return lakehouse.read(Tables.silver("measurement"))
        .select(col("person_id"), col("measurement_source_value").as("code"),
            col("measurement_date").as("date"), col("value_as_number").as("value"))
        .groupBy("person_id", "code", "date").agg(count(lit(1)).as("n"),
            expr("first(value)").as("value"))
        .where(col("n").equalTo(1)).drop("n");
  }

  private void assertSame(String table, String... columns) {
    assertSameRows(fhir.read(Tables.silver(table)), csv.read(Tables.silver(table)), columns);
  }

  /** The two tables hold the same rows of these columns, as many times each. */
  private static void assertSameRows(Dataset<Row> fromFhir, Dataset<Row> fromCsv,
      String... columns) {
    Column[] selected = Arrays.stream(columns).map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> a = fromFhir.select(selected);
    Dataset<Row> b = fromCsv.select(selected);
    assertThat(a.isEmpty()).as(String.join(",", columns)).isFalse();
    SameRows.assertSame("FHIR (first) and CSV " + String.join(",", columns), a, b);
  }

  @Test
  void theShippedTasksGiveCohortsAndFeaturesAndHypertensionAModel() {
    for (String task : List.of("t2d-1y", "htn-1y")) {
      FairgroveConfig config = SyntheaLakehouses.config(IngestRequest.FHIR_NDJSON, task);
      Cohort.Result cohort = Cohort.build(spark, config);
      assertThat(cohort.rows()).as(task).isPositive();
      Features.Result features = Features.build(spark, config);
      assertThat(features.rows()).as(task).isEqualTo(cohort.rows());
      assertThat(features.slots()).as(task).isGreaterThan(10);
    }
    // 40 adults have hypertension events in every split, but too few new diabetes cases to
    // train on; the README's FHIR run trains both tasks on a larger population.
    Trainer.Result model = Trainer.train(spark,
        SyntheaLakehouses.config(IngestRequest.FHIR_NDJSON, "htn-1y"));
    assertThat(model.modelId()).isNotBlank();
  }
}
