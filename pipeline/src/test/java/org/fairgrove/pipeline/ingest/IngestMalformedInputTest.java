package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The malformed-input corpus (src/test/resources/ingest): every bad row lands in quarantine with
 * its reason code and offending columns, the good rows reach silver guarded, and the counts
 * reconcile; unreadable files fail the batch and change no table.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestMalformedInputTest {
  static final String KEY = "test-key-for-ingest-tests-0123456789";
  static final String SITE = "T1";

  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private IngestSummary summary;
  private Lakehouse lakehouse;

  IngestMalformedInputTest(SparkSession spark) {
    this.spark = spark;
  }

  static Path corpus(String name) {
    return Path.of("src/test/resources/ingest", name).toAbsolutePath();
  }

  @BeforeAll
  void ingestTheCorpus() {
    config = SparkTestSession.testConfig(dir.resolve("malformed"), "deid.dev-key=" + KEY,
        // The corpus is mostly bad rows on purpose; the fatal share is tested separately.
        "ingest.max-quarantine-share=1.0");
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    summary = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, corpus("malformed").toString(), SITE));
  }

  private Map<String, IngestSummary.TableCounts> byTable() {
    return summary.tables().stream()
        .collect(Collectors.toMap(IngestSummary.TableCounts::table, Function.identity()));
  }

  /** Each quarantined row as "table file:position reason [columns]", in file order. */
  static List<String> quarantined(Lakehouse lakehouse) {
    return lakehouse.read(Tables.OPS_QUARANTINE)
        .orderBy("table_name", "source_file", "row_position").collectAsList().stream()
        .map(r -> r.getAs("table_name") + " " + r.getAs("source_file") + ":"
            + r.getAs("row_position") + " " + r.getAs("reason_code") + " "
            + r.getList(r.fieldIndex("offending_columns")))
        .toList();
  }

  @Test
  void everyBadRowIsQuarantinedWithItsReasonAndColumns() {
    List<String> quarantined = quarantined(lakehouse);
    assertThat(quarantined).containsExactly(
        "death death.csv:2 event_before_birth [death_date]",
        "notes notes.csv:1 unknown_table []",
        "notes notes.csv:2 unknown_table []",
        "person person.csv:3 unparseable_number [year_of_birth]",
        "person person.csv:4 missing_required [gender_concept_id]",
        "person person.csv:7 duplicate_key_conflict [person_id]",
        "person person.csv:8 duplicate_key_conflict [person_id]",
        "person person.csv:9 malformed_row []",
        "visit_occurrence visit_occurrence/part-00000.csv:2 unparseable_date"
            + " [visit_start_date, visit_end_date]",
        "visit_occurrence visit_occurrence/part-00000.csv:3 end_before_start [visit_end_date]",
        "visit_occurrence visit_occurrence/part-00000.csv:4 event_before_birth"
            + " [visit_start_date]",
        "visit_occurrence visit_occurrence/part-00000.csv:5 unparseable_date [visit_start_date]",
        "visit_occurrence visit_occurrence/part-00000.csv:6 unparseable_number"
            + " [visit_concept_id]",
        "visit_occurrence visit_occurrence/part-00000.csv:9 event_after_death"
            + " [visit_start_date]");
  }

  @Test
  void rowsReadEqualAcceptedPlusQuarantinedPlusDuplicates() {
    Map<String, IngestSummary.TableCounts> t = byTable();
    assertThat(t.get("person")).extracting("rowsRead", "rowsAccepted", "rowsQuarantined",
        "rowsDuplicate").containsExactly(9L, 3L, 5L, 1L);
    assertThat(t.get("visit_occurrence")).extracting("rowsRead", "rowsAccepted",
        "rowsQuarantined", "rowsDuplicate").containsExactly(9L, 2L, 6L, 1L);
    assertThat(t.get("death")).extracting("rowsRead", "rowsAccepted", "rowsQuarantined")
        .containsExactly(2L, 1L, 1L);
    // Six identifier patterns redacted from allow-listed text; two values withheld by code.
    assertThat(t.get("observation")).extracting("rowsRead", "rowsAccepted",
        "identifiersRedacted", "valuesWithheld").containsExactly(5L, 5L, 6L, 2L);
    assertThat(t.get("notes")).extracting("status", "rowsRead", "rowsQuarantined")
        .containsExactly(IngestSummary.UNKNOWN_TABLE, 2L, 2L);
    // An empty file and a header-only file are zero rows, not errors.
    assertThat(t.get("drug_exposure").rowsRead()).isZero();
    assertThat(t.get("procedure_occurrence").rowsRead()).isZero();
    assertThat(t.get("measurement").status()).isEqualTo(IngestSummary.ABSENT);
    assertThat(summary.tables()).allSatisfy(c -> assertThat(c.reconciles()).isTrue());
    assertThat(summary.rowsRead()).isEqualTo(27);

    // The log holds the same numbers.
    Row logged = lakehouse.read(Tables.OPS_INGEST_LOG)
        .where("table_name = 'person'").first();
    assertThat((long) logged.getAs("rows_read")).isEqualTo(9);
    assertThat((long) logged.getAs("rows_duplicate")).isEqualTo(1);
    assertThat(logged.getList(logged.fieldIndex("columns_dropped")))
        .containsExactly("month_of_birth", "day_of_birth", "person_source_value", "ssn", "zip");
  }

  @Test
  void acceptedRowsReachSilverGuarded() {
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    List<Row> persons = lakehouse.read(Tables.SILVER_PERSON)
        .orderBy("year_of_birth").collectAsList();
    assertThat(persons).hasSize(3);
    // Person 2, born 1925, is over 89 on 2024-12-31: folded into the 90+ year 1934; ZIP 036xx
    // is a low-population ZIP3.
    assertThat(persons.get(0).<Long>getAs("person_id")).isEqualTo(Pseudonym.of(key, SITE, "2"));
    assertThat(persons.get(0).<Integer>getAs("year_of_birth")).isEqualTo(1934);
    assertThat(persons.get(0).<String>getAs("zip3")).isEqualTo("000");
    assertThat(persons.get(1).<Long>getAs("person_id")).isEqualTo(Pseudonym.of(key, SITE, "1"));
    assertThat(persons.get(1).<String>getAs("zip3")).isEqualTo("021");
    assertThat(persons.get(2).<String>getAs("zip3")).isNull();
    assertThat(lakehouse.read(Tables.SILVER_PERSON).columns())
        .doesNotContain("person_source_value", "ssn", "zip", "month_of_birth");

    List<String> texts = lakehouse.read(Tables.SILVER_OBSERVATION)
        .orderBy("observation_id").collectAsList().stream()
        .map(r -> r.<String>getAs("value_as_string")).toList();
    // Text is kept for an allow-listed code (smoking status) and redacted there; an address
    // code (LOINC 56799-0) and a code not on the list keep no value at all.
    assertThat(texts).containsExactly(
        "Reach me at [REDACTED] or [REDACTED], see [REDACTED]",
        "SSN [REDACTED] from [REDACTED], lives at [REDACTED]",
        "no identifiers here, HbA1c 6.5", null, null);
    assertThat(lakehouse.read(Tables.SILVER_VISIT).count()).isEqualTo(2);
  }

  @Test
  void bronzeKeepsEveryRowAsTheGuardLetItThrough() {
    Dataset<Row> bronze = lakehouse.read(Tables.bronze("person"));
    assertThat(bronze.count()).isEqualTo(9);
    assertThat(bronze.columns()).containsExactly(Tables.bronze("person").schema().fieldNames())
        .doesNotContain("person_source_value", "ssn", "zip", "month_of_birth", "day_of_birth");
    // The person over 89 is folded in bronze as in silver; the unparseable year is null there.
    assertThat(bronze.orderBy("row_position").collectAsList().stream()
        .map(r -> r.get(r.fieldIndex("year_of_birth")) + "/" + r.getAs("reason_code")).toList())
        .containsExactly("1960/null", "1934/null", "null/unparseable_number",
            "1970/missing_required", "1980/null", "1980/null", "1990/null", "1990/null",
            "1950/malformed_row");
    List<String> texts = lakehouse.read(Tables.bronze("observation")).orderBy("observation_id")
        .collectAsList().stream().map(r -> r.<String>getAs("value_as_string")).toList();
    assertThat(texts).doesNotContain("739 Wilderman Wynd", "called the patient's daughter")
        .contains("no identifiers here, HbA1c 6.5");
  }

  @Test
  void eachRowCarriesTheKeyedHashOfItsSourceFields() throws Exception {
    // person.csv row 4, "4,,1970,,,8527,38003564,MRN-0004,,": empty fields are null (NUL).
    String[] fields = {"4", null, "1970", null, null, "8527", "38003564", "MRN-0004", null, null};
    StringBuilder text = new StringBuilder();
    for (String field : fields) {
      text.append(field == null ? "\u0000" : field).append('\u001f');
    }
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8),
        "HmacSHA256"));
    String expected = java.util.HexFormat.of()
        .formatHex(mac.doFinal(text.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
    Row quarantined = lakehouse.read(Tables.OPS_QUARANTINE)
        .where("table_name = 'person' AND row_position = 4").first();
    assertThat(quarantined.<String>getAs("row_hash")).isEqualTo(expected);
    assertThat(lakehouse.read(Tables.bronze("person")).where("row_position = 4").first()
        .<String>getAs("row_hash")).isEqualTo(expected);
  }

  @Test
  void dataQualityResultsAreRecorded() {
    List<Row> dq = lakehouse.read(Tables.OPS_DQ_RESULTS)
        .where("table_name = 'death' AND check_name = 'person_known'").collectAsList();
    assertThat(dq).hasSize(1);
    assertThat((long) dq.get(0).getAs("rows_failed")).isZero();
    // The corpus has no observation periods, so its events lie outside every one.
    assertThat(summary.flags()).extracting(f -> f.table() + "." + f.check() + " "
        + f.rowsFailed() + "/" + f.rowsChecked()).containsExactlyInAnyOrder(
        "person.required_fields 1/9", "visit_occurrence.within_observation 2/2",
        "observation.within_observation 5/5", "observation.standard_concept_mapped 2/5");
  }

  @Test
  void tooManyQuarantinedRowsFailTheBatchAndLeaveSilverAsItWas() {
    FairgroveConfig strict = SparkTestSession.testConfig(dir.resolve("strict"),
        "deid.dev-key=" + KEY);
    assertThatThrownBy(() -> Ingest.run(spark, strict,
        new IngestRequest(IngestRequest.OMOP_CSV, corpus("malformed").toString(), SITE)))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("failed fatal data quality checks")
        .hasMessageContaining("person.quarantine_share 55.6% > 20.0%");
    Lakehouse strictLake = new Lakehouse(spark, strict.lakehouse.root());
    assertThat(strictLake.exists(Tables.SILVER_PERSON)).isFalse();
    assertThat(strictLake.exists(Tables.OPS_INGEST_LOG)).isFalse();
    assertThat(strictLake.exists(Tables.OPS_QUARANTINE)).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bad-delimiter|omop-csv|person.csv|another delimiter",
      "bad-encoding|omop-csv|person.csv|not valid UTF-8",
      "header-mismatch|omop-csv|visit_occurrence.csv|lacks the required column(s)"
          + " [visit_start_date]",
      "wrong-format|omop-parquet|person.parquet|not a readable Parquet file",
      "malformed|omop-parquet|death.csv|It is not a .parquet file"})
  void anUnreadableFileFailsTheBatchAndChangesNoTable(String folder, String format, String file,
      String why) {
    FairgroveConfig fresh = SparkTestSession.testConfig(dir.resolve("unreadable-" + folder
        + "-" + format), "deid.dev-key=" + KEY);
    assertThatThrownBy(() -> Ingest.run(spark, fresh,
        new IngestRequest(format, corpus(folder).toString(), SITE)))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("The source file " + file + " cannot be read")
        .hasMessageContaining(why);
    assertThat(new Lakehouse(spark, fresh.lakehouse.root()).tables()).isEmpty();
  }

  @Test
  void productionWithoutAKeyFailsAtStart() {
    FairgroveConfig production = SparkTestSession.testConfig(dir.resolve("production"),
        "run.environment=production", "deid.dev-key=" + KEY,
        "deid.key-env=FAIRGROVE_TEST_UNSET_KEY");
    assertThatThrownBy(() -> Ingest.run(spark, production,
        new IngestRequest(IngestRequest.OMOP_CSV, corpus("malformed").toString(), SITE)))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("No pseudonymisation key: the environment variable"
            + " FAIRGROVE_TEST_UNSET_KEY is not set.")
        .hasMessageContaining("the development key is never used there")
        .hasMessageContaining("Fix: Set FAIRGROVE_TEST_UNSET_KEY");
    assertThat(new Lakehouse(spark, production.lakehouse.root()).tables()).isEmpty();
  }

  @Test
  void pseudonymIsTheDocumentedHmac() throws Exception {
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    byte[] digest = mac.doFinal("S1:42".getBytes(StandardCharsets.UTF_8));
    long expected = 0;
    for (int i = 0; i < 8; i++) {
      expected = (expected << 8) | (digest[i] & 0xff);
    }
    assertThat(Pseudonym.of(key, "S1", "42")).isEqualTo(expected & Long.MAX_VALUE)
        .isNotNegative()
        .isNotEqualTo(Pseudonym.of(key, "S2", "42"));
  }
}
