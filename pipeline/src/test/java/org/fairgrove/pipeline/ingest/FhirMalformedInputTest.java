package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.omop.Concepts;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-written FHIR Bulk Data batch (src/test/resources/ingest/fhir-malformed): two patients
 * whose records exercise the mapping, and one line for each fault a FHIR export can have. The
 * expected rows are worked out by hand from the files.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FhirMalformedInputTest {
  private static final String SITE = "FH";
  private static final String P1 = "0b1f6c1e-1111-4a4a-9c9c-000000000001";

  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private IngestSummary summary;
  private Lakehouse lakehouse;

  FhirMalformedInputTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void ingestTheCorpus() {
    config = SparkTestSession.testConfig(dir.resolve("fhir"),
        "deid.dev-key=" + IngestMalformedInputTest.KEY, "ingest.max-quarantine-share=1.0");
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    summary = Ingest.run(spark, config, new IngestRequest(IngestRequest.FHIR_NDJSON,
        IngestMalformedInputTest.corpus("fhir-malformed").toString(), SITE));
  }

  @Test
  void eachFaultIsQuarantinedWithItsReason() {
    List<String> quarantined = IngestMalformedInputTest.quarantined(lakehouse);
    assertThat(quarantined).containsExactly(
        "condition_occurrence Condition.ndjson:3 unparseable_date [condition_start_date]",
        "measurement Observation.ndjson:3 malformed_row []",
        "observation_period Encounter.ndjson:4 unknown_person [person_id]",
        "person Patient.ndjson:3 malformed_row []",
        "person Patient.ndjson:4 wrong_resource_type []",
        "visit_occurrence Encounter.ndjson:3 missing_required [person_id]",
        "visit_occurrence Encounter.ndjson:4 unknown_person [person_id]");
  }

  @Test
  void countsReconcilePerTable() {
    Map<String, IngestSummary.TableCounts> t = summary.tables().stream()
        .collect(Collectors.toMap(IngestSummary.TableCounts::table, Function.identity()));
    // read, accepted, quarantined; the blank last line of Patient.ndjson is no resource.
    Map<String, List<Long>> expected = Map.of(
        "person", List.of(4L, 2L, 2L), "death", List.of(1L, 1L, 0L),
        "visit_occurrence", List.of(4L, 2L, 2L), "observation_period", List.of(3L, 2L, 1L),
        "condition_occurrence", List.of(4L, 3L, 1L), "measurement", List.of(3L, 2L, 1L),
        "observation", List.of(1L, 1L, 0L), "drug_exposure", List.of(3L, 3L, 0L),
        "procedure_occurrence", List.of(1L, 1L, 0L), "payer_plan_period", List.of(2L, 2L, 0L));
    expected.forEach((table, counts) -> assertThat(t.get(table)).as(table)
        .extracting("rowsRead", "rowsAccepted", "rowsQuarantined")
        .containsExactlyElementsOf(counts));
    assertThat(summary.tables()).allSatisfy(c -> assertThat(c.reconciles()).isTrue());
    assertThat(t.get("claim").status()).isEqualTo(IngestSummary.NOT_MAPPED);
    assertThat(t).doesNotContainKey("manifest");
  }

  @Test
  void resourcesMapToOmopByCodeAndReference() {
    List<Row> persons = lakehouse.read(Tables.SILVER_PERSON).orderBy("year_of_birth")
        .collectAsList();
    assertThat(persons).extracting(r -> r.getAs("year_of_birth") + " " + r.getAs("zip3") + " "
        + r.getAs("gender_concept_id") + " " + r.getAs("race_concept_id") + " "
        + r.getAs("ethnicity_concept_id")).containsExactly(
        "1945 000 " + Concepts.MALE + " " + Concepts.RACE_WHITE + " " + Concepts.HISPANIC,
        "1960 021 " + Concepts.FEMALE + " " + Concepts.RACE_BLACK + " " + Concepts.NOT_HISPANIC);
    long first = persons.get(1).getAs("person_id");
    // Patient/ID and urn:uuid:ID name the same person.
    assertThat(lakehouse.read(Tables.SILVER_CONDITION).orderBy("condition_start_date",
        "condition_concept_id").collectAsList()).extracting(r -> r.getAs("person_id").equals(first)
        + " " + r.getAs("condition_concept_id") + " " + r.getAs("condition_source_vocabulary"))
        .containsExactlyInAnyOrder("true " + Concepts.TYPE_2_DIABETES + " SNOMED",
            "true " + Concepts.HYPERLIPIDEMIA + " SNOMED",
            "false " + Concepts.HYPERTENSION + " ICD10CM");
    assertThat(lakehouse.read(Tables.silver("drug_exposure")).orderBy("drug_exposure_id")
        .collectAsList()).extracting(r -> r.getAs("drug_concept_id") + " "
        + r.getAs("drug_type_concept_id") + " " + r.getAs("quantity"))
        .containsExactlyInAnyOrder(
            Concepts.METFORMIN + " " + Concepts.TYPE_EHR_PRESCRIPTION + " null",
            Concepts.METFORMIN + " " + Concepts.TYPE_EHR_ADMINISTRATION + " null",
            Concepts.LISINOPRIL + " " + Concepts.TYPE_EHR_PRESCRIPTION + " 30.0");
    assertThat(lakehouse.read(Tables.silver("measurement")).orderBy("value_as_number")
        .collectAsList()).extracting(r -> r.getAs("measurement_concept_id") + " "
        + r.getAs("value_as_number") + " " + r.getAs("unit_concept_id"))
        .containsExactly("3012888 81.0 " + Concepts.UNIT_MM_HG,
            Concepts.SYSTOLIC_BP + " 132.5 " + Concepts.UNIT_MM_HG);
    assertThat(lakehouse.read(Tables.silver("visit_occurrence")).orderBy("visit_start_date")
        .collectAsList()).extracting(r -> r.<Integer>getAs("visit_concept_id"))
        .containsExactly(Concepts.VISIT_OUTPATIENT, Concepts.VISIT_EMERGENCY);
    assertThat(lakehouse.read(Tables.silver("payer_plan_period")).orderBy("person_id")
        .collectAsList()).extracting(r -> r.getAs("person_id").equals(first) + " "
        + r.getAs("payer_source_value"))
        .containsExactlyInAnyOrder("true Medicare", "false Uninsured");
    assertThat(lakehouse.read(Tables.silver("death")).count()).isEqualTo(1);
  }

  @Test
  void noIdentifierOfThePatientsIsInAnyFileOfTheLakehouse() {
    List<String> identifiers = List.of(P1, "MRN-77001", "999-31-4159", "S99271828",
        "X16180339X", "Zabriskie", "Philomena", "555-867-5309", "4417 Wilderman Quay",
        "Chelsea", "02149", "Quillfeather Ostrander", "Marblehead", "Okonkwo-Lindqvist",
        "Ambrose", "Bartholomew", "555-271-8281", "03601");
    assertThat(ValuesAtRest.identifiers(spark, lakehouse,
        spark.createDataset(identifiers, Encoders.STRING()).toDF("value"))).isEmpty();
  }

  @Test
  void aTruncatedGzipFileFailsTheBatchAndChangesNothing() throws IOException {
    Path batch = copyOfCorpus("truncated");
    Path gz = batch.resolve("Procedure.ndjson.gz");
    byte[] bytes = Files.readAllBytes(gz);
    Files.write(gz, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertFailsAndChangesNothing(batch, "Procedure.ndjson.gz", "truncated or corrupt");
  }

  @Test
  void aFileInAnotherEncodingFailsTheBatchAndChangesNothing() throws IOException {
    Path batch = copyOfCorpus("latin1");
    Files.write(batch.resolve("Condition.ndjson"), ("{\"resourceType\": \"Condition\","
        + " \"note\": \"Gr\u00fcn\"}\n").getBytes(StandardCharsets.ISO_8859_1));
    assertFailsAndChangesNothing(batch, "Condition.ndjson", "not valid UTF-8");
  }

  private Path copyOfCorpus(String name) throws IOException {
    Path batch = dir.resolve(name);
    Files.createDirectories(batch);
    try (var files = Files.list(IngestMalformedInputTest.corpus("fhir-malformed"))) {
      for (Path file : files.toList()) {
        Files.copy(file, batch.resolve(file.getFileName()));
      }
    }
    return batch;
  }

  private void assertFailsAndChangesNothing(Path batch, String file, String why) {
    FairgroveConfig fresh = SparkTestSession.testConfig(dir.resolve("fails-" + file),
        "deid.dev-key=" + IngestMalformedInputTest.KEY);
    assertThatThrownBy(() -> Ingest.run(spark, fresh,
        new IngestRequest(IngestRequest.FHIR_NDJSON, batch.toString(), SITE)))
        .isInstanceOf(FairgroveError.class).hasMessageContaining(file).hasMessageContaining(why);
    assertThat(new Lakehouse(spark, fresh.lakehouse.root()).tables()).isEmpty();
  }
}
