package org.fairgrove.pipeline.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.ingest.IngestRequest;
import org.fairgrove.pipeline.ingest.SyntheaLakehouses;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.FhirValidation;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * FHIR in and out: the shared Synthea population ingested from its Bulk Data export, a
 * hypertension model trained and promoted on it, everyone under observation on a date scored and
 * exported as RiskAssessments, and every exported resource checked by HAPI FHIR's validator.
 */
@Tag("e2e")
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RiskAssessmentExportTest {
  private static final String TASK = "htn-1y";
  private static final LocalDate AS_OF = LocalDate.of(2024, 6, 30);
  /** A FHIR decimal as a person writes it: plain notation, at most six decimal places. */
  private static final String PROBABILITY = "\"probabilityDecimal\":(0|1)(\\.\\d{1,6})?[,}]";
  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private Lakehouse lakehouse;
  private Scoring.Result scored;
  private Path out;

  RiskAssessmentExportTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void trainPromoteAndExport() {
    SyntheaLakehouses.ingest(spark, IngestRequest.FHIR_NDJSON);
    config = SyntheaLakehouses.config(IngestRequest.FHIR_NDJSON, TASK)
        .with(List.of("task.train.search.trials=1"));
    lakehouse = SyntheaLakehouses.lakehouse(spark, IngestRequest.FHIR_NDJSON);
    Cohort.build(spark, config);
    Features.build(spark, config);
    String model = Trainer.train(spark, config).modelId();
    new Registry(spark, lakehouse).promote(model);
    out = dir.resolve("export");
    scored = Scoring.score(spark, config, AS_OF, null, out.toString());
  }

  private List<String> lines() throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
        lines.addAll(Files.readAllLines(file));
      }
    }
    return lines;
  }

  @Test
  void everyoneUnderObservationOnTheDateIsScoredOrSkippedForAReason() {
    long persons = lakehouse.read(Tables.SILVER_PERSON).count();
    assertThat(scored.population().get(0).persons()).isEqualTo(persons);
    assertThat(scored.scored()).isPositive()
        .isEqualTo(scored.population().get(scored.population().size() - 1).persons());
    assertThat(lakehouse.read(Tables.GOLD_PREDICTIONS)
        .filter(col("as_of").equalTo(java.sql.Date.valueOf(AS_OF))).count())
        .isEqualTo(scored.scored());
    assertThat(scored.summary(1)).contains("Scored " + scored.scored() + " persons as of "
        + AS_OF, "skipped, failing \"age 18-120 at index\"",
        "skipped, failing \"no outcome before time at risk\"");
  }

  @Test
  void theExportIsBulkDataNdjsonWithAManifestThatCountsItsFiles() throws IOException {
    assertThat(out.resolve("_SUCCESS")).doesNotExist();
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("RiskAssessment.1.ndjson", "manifest.json");
    }
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertThat(manifest.path("requiresAccessToken").asBoolean(true)).isFalse();
    assertThat(manifest.path("transactionTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(manifest.path("request").asText()).contains("--as-of " + AS_OF);
    JsonNode output = manifest.path("output").get(0);
    assertThat(output.path("type").asText()).isEqualTo("RiskAssessment");
    assertThat(output.path("url").asText()).endsWith("/RiskAssessment.1.ndjson");
    assertThat(output.path("count").asLong()).isEqualTo(lines().size())
        .isEqualTo(scored.scored());
    assertThat(manifest.path("error").size()).isZero();
  }

  @Test
  void eachResourceIsCurrentIdentifiedCodedAndRounded() throws IOException {
    ObjectMapper json = new ObjectMapper();
    Set<String> persons = new HashSet<>(lakehouse.read(Tables.SILVER_PERSON)
        .select(col("person_id").cast("string")).as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
    Set<String> identifiers = new HashSet<>();
    for (String line : lines()) {
      assertThat(line).containsPattern(PROBABILITY).doesNotContain("E-");
      JsonNode resource = json.readTree(line);
      assertThat(resource.path("occurrenceDateTime").asText()).isEqualTo(AS_OF.toString());
      assertThat(persons).contains(resource.path("subject").path("reference").asText()
          .substring("Patient/".length()));
      JsonNode identifier = resource.path("identifier").get(0);
      assertThat(identifier.path("system").asText()).isEqualTo("urn:fairgrove:risk-assessment");
      assertThat(identifiers.add(identifier.path("value").asText())).isTrue();
      JsonNode prediction = resource.path("prediction").get(0);
      assertThat(prediction.path("outcome").path("coding").findValuesAsText("code"))
          .containsExactly("59621000", "I10");
      assertThat(prediction.path("whenRange").path("high").path("code").asText()).isEqualTo("d");
      assertThat(prediction.path("whenRange").path("high").path("value").asInt()).isEqualTo(365);
      JsonNode device = resource.path("contained").get(0);
      assertThat(resource.path("performer").path("reference").asText())
          .isEqualTo("#" + device.path("id").asText());
      assertThat(device.path("modelNumber").asText()).isEqualTo(scored.modelId());
    }
  }

  @Test
  void hapiFhirsValidatorFindsNoErrorAndNoWarning() {
    FhirValidation.Report report = FhirValidation.validate(out);
    assertThat(report.resources()).isEqualTo(scored.scored());
    assertThat(report.errors()).isEmpty();
    assertThat(report.warnings()).isEmpty();
  }

  @Test
  void exportingAgainReplacesTheFilesWithTheSameResources() throws IOException {
    List<String> first = lines();
    Path other = out.resolveSibling("again");
    Scoring.score(spark, config, AS_OF, null, other.toString());
    Scoring.score(spark, config, AS_OF, null, other.toString());
    try (Stream<Path> files = Files.list(other)) {
      assertThat(files.count()).isEqualTo(2);
    }
    List<String> again = new ArrayList<>();
    try (Stream<Path> files = Files.list(other)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".ndjson")).toList()) {
        again.addAll(Files.readAllLines(file));
      }
    }
    assertThat(again).containsExactlyInAnyOrderElementsOf(first);
    assertThat(lakehouse.read(Tables.GOLD_PREDICTIONS)
        .filter(col("as_of").equalTo(java.sql.Date.valueOf(AS_OF))).count())
        .isEqualTo(scored.scored());
  }

  /**
   * Scoring builds the features in the model's own dictionary and skips the check; features
   * read from gold.features are checked, and rows of a rebuilt dictionary are refused.
   */
  @Test
  void featuresOfAnotherDictionaryAreRefused() {
    Registry.Entry champion = new Registry(spark, lakehouse).champion(TASK).orElseThrow();
    assertThatThrownBy(() -> Scoring.predict(champion, lakehouse.read(Tables.GOLD_FEATURES)
        .withColumn(Features.DICTIONARY_HASH_COLUMN, lit("rebuilt"))))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("Model '" + champion.modelId() + "' was trained on feature"
            + " dictionary " + champion.dictionaryHash() + ", but gold.features now has rebuilt.");
  }

  @Test
  void aTaskWithoutExportCodesIsRefusedBeforeAnyWork() {
    FairgroveConfig uncoded = config.with(List.of("task.outcome.export-codes=[]"));
    assertThatThrownBy(() -> Scoring.score(spark, uncoded, AS_OF, null,
        dir.resolve("never").toString()))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("task.outcome.export-codes");
    assertThat(dir.resolve("never")).doesNotExist();
  }
}
