package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fairgrove.pipeline.lakehouse.SparkSessions.SHUFFLE_PARTITIONS;
import static org.fairgrove.pipeline.lakehouse.SparkSessions.SNAPSHOT_PARTITIONS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A later batch with corrected records updates silver by natural key; new keys are added. */
@ExtendWith(SparkTestSession.class)
class IngestIncrementalTest {
  private static final String WHOLE_STAGE_CODEGEN = "spark.sql.codegen.wholeStage";
  private static final String PERSON_HEADER =
      "person_id,gender_concept_id,year_of_birth,race_concept_id,ethnicity_concept_id\n";
  private static final String VISIT_HEADER = "visit_occurrence_id,person_id,visit_concept_id,"
      + "visit_start_date,visit_end_date,visit_type_concept_id\n";

  @TempDir Path dir;

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  @Test
  void aCorrectedBatchMergesByNaturalKey(SparkSession spark) throws IOException {
    FairgroveConfig config = SparkTestSession.testConfig(dir,
        "deid.dev-key=" + IngestMalformedInputTest.KEY);
    Path batchA = dir.resolve("a");
    write(batchA.resolve("person.csv"), PERSON_HEADER
        + "1,8507,1970,8527,38003564\n2,8532,1980,8516,38003564\n");
    write(batchA.resolve("visit_occurrence/part-00000.csv"), VISIT_HEADER
        + "10,1,9202,2020-01-05,2020-01-05,32817\n11,2,9202,2020-02-01,2020-02-01,32817\n");
    IngestSummary a = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, batchA.toString(), "S9"));

    // Batch B: person 2's race corrected, visit 11's end date corrected, visit 12 new, and
    // person 1 and visit 10 sent again unchanged.
    Path batchB = dir.resolve("b");
    write(batchB.resolve("person.csv"), PERSON_HEADER
        + "1,8507,1970,8527,38003564\n2,8532,1980,8515,38003564\n");
    write(batchB.resolve("visit_occurrence/part-00000.csv"), VISIT_HEADER
        + "10,1,9202,2020-01-05,2020-01-05,32817\n11,2,9202,2020-02-01,2020-02-03,32817\n"
        + "12,2,9203,2021-03-01,2021-03-01,32817\n");
    IngestSummary b = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, batchB.toString(), "S9"));

    assertThat(b.batchId()).isNotEqualTo(a.batchId());
    Map<String, IngestSummary.TableCounts> counts = b.tables().stream()
        .collect(Collectors.toMap(IngestSummary.TableCounts::table, Function.identity()));
    assertThat(counts.get("person")).extracting("rowsInserted", "rowsUpdated")
        .containsExactly(0L, 1L);
    assertThat(counts.get("visit_occurrence")).extracting("rowsInserted", "rowsUpdated")
        .containsExactly(1L, 1L);

    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    List<Row> visits = lakehouse.read(Tables.SILVER_VISIT)
        .orderBy("visit_occurrence_id").collectAsList();
    assertThat(visits).extracting(r -> r.getAs("visit_occurrence_id") + " "
            + r.getAs("visit_end_date") + " " + r.getAs("source_batch_id"))
        .containsExactly(
            "10 2020-01-05 " + a.batchId(),
            "11 2020-02-03 " + b.batchId(),
            "12 2021-03-01 " + b.batchId());
    assertThat(lakehouse.read(Tables.SILVER_PERSON)
        .where("race_concept_id = 8515").count()).isEqualTo(1);
    assertThat(lakehouse.read(Tables.SILVER_PERSON).count()).isEqualTo(2);
    // The log holds both batches; each reconciles.
    assertThat(lakehouse.read(Tables.OPS_INGEST_LOG)
        .where("rows_read = rows_accepted + rows_quarantined + rows_duplicate")
        .select("batch_id").distinct().count()).isEqualTo(2);
  }

  /**
   * Two sites with the same source ids: the second site's first batch is appended (nothing of
   * its site can match), and its corrected batch updates its own row, not the first site's.
   */
  @Test
  void aSitesBatchTouchesOnlyItsOwnSitesRows(SparkSession spark) throws IOException {
    FairgroveConfig config = SparkTestSession.testConfig(dir,
        "deid.dev-key=" + IngestMalformedInputTest.KEY);
    String visits = "10,1,9202,2020-01-05,2020-01-05,32817\n11,2,9202,2020-02-01,2020-02-01,"
        + "32817\n";
    String persons = PERSON_HEADER + "1,8507,1970,8527,38003564\n2,8532,1980,8516,38003564\n";
    Path first = dir.resolve("first");
    write(first.resolve("person.csv"), persons);
    write(first.resolve("visit_occurrence.csv"), VISIT_HEADER + visits);
    Ingest.run(spark, config, new IngestRequest(IngestRequest.OMOP_CSV, first.toString(), "S8"));
    IngestSummary other = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, first.toString(), "S9"));
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    String location = lakehouse.location(Tables.SILVER_VISIT);
    assertThat(io.delta.tables.DeltaTable.forPath(spark, location).history(1)
        .first().<String>getAs("operation")).isEqualTo("WRITE");
    assertThat(counts(other).get("visit_occurrence")).extracting("rowsInserted", "rowsUpdated")
        .containsExactly(2L, 0L);
    // The next batch of S9 merges at once: the log shows that silver holds rows of the site.
    OpsTables ops = new OpsTables(lakehouse);
    assertThat(ops.tablesWithRows("S9")).containsExactlyInAnyOrder("person", "visit_occurrence");
    assertThat(ops.tablesWithRows("S7")).isEmpty();

    Path corrected = dir.resolve("corrected");
    write(corrected.resolve("person.csv"), persons);
    write(corrected.resolve("visit_occurrence.csv"), VISIT_HEADER
        + visits.replace("2020-02-01,2020-02-01", "2020-02-01,2020-02-03"));
    IngestSummary fix = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, corrected.toString(), "S9"));
    assertThat(counts(fix).get("visit_occurrence")).extracting("rowsInserted", "rowsUpdated")
        .containsExactly(0L, 1L);
    assertThat(lakehouse.read(Tables.SILVER_VISIT).orderBy("site_id", "visit_occurrence_id")
        .collectAsList()).extracting(r -> r.getAs("site_id") + " "
            + r.getAs("visit_occurrence_id") + " " + r.getAs("visit_end_date"))
        .containsExactly("S8 10 2020-01-05", "S8 11 2020-02-01", "S9 10 2020-01-05",
            "S9 11 2020-02-03");

    // Files keep statistics of the columns they are selected by and of no other, as Delta's log
    // records them; by them, a read of one site's rows skips the other site's files.
    Map<String, JsonNode> silverFiles = fileStatistics(location);
    assertThat(silverFiles.values()).extracting(IngestIncrementalTest::columnsWithStatistics)
        .containsOnly(Set.of("site_id", "source_batch_id"));
    assertThat(fileStatistics(lakehouse.location(Tables.bronze("visit_occurrence"))).values())
        .extracting(IngestIncrementalTest::columnsWithStatistics)
        .containsOnly(Set.of("site_id", "source_file", "row_position"));
    Set<String> ofS9 = silverFiles.entrySet().stream()
        .filter(e -> e.getValue().at("/minValues/site_id").asText().equals("S9"))
        .map(e -> fileName(e.getKey())).collect(Collectors.toSet());
    assertThat(ofS9).isNotEmpty().hasSizeLessThan(silverFiles.size());
    assertThat(Arrays.stream(lakehouse.read(Tables.SILVER_VISIT).where("site_id = 'S9'")
        .inputFiles()).map(IngestIncrementalTest::fileName)).isSubsetOf(ofS9).isNotEmpty();
  }

  /** Every file added in the table's Delta log, by path, with the statistics kept of it. */
  private static Map<String, JsonNode> fileStatistics(String location) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> files = new HashMap<>();
    try (Stream<Path> entries = Files.list(Path.of(location, "_delta_log"))) {
      for (Path commit : entries.filter(p -> p.toString().endsWith(".json")).toList()) {
        for (String line : Files.readAllLines(commit)) {
          JsonNode add = json.readTree(line).get("add");
          if (add != null) {
            files.put(add.get("path").asText(), json.readTree(add.get("stats").asText()));
          }
        }
      }
    }
    return files;
  }

  private static Set<String> columnsWithStatistics(JsonNode stats) {
    Set<String> columns = new HashSet<>();
    stats.get("minValues").fieldNames().forEachRemaining(columns::add);
    return columns;
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * A batch whose changed rows all have new keys inserts them and touches no file of silver's:
   * its unchanged rows are neither updated nor copied, and a table it does not change gets no
   * commit.
   */
  @Test
  void aBatchOfNewKeysOnlyInsertsThemWithoutTouchingSilversRows(SparkSession spark)
      throws IOException {
    FairgroveConfig config = SparkTestSession.testConfig(dir,
        "deid.dev-key=" + IngestMalformedInputTest.KEY);
    String persons = PERSON_HEADER + "1,8507,1970,8527,38003564\n2,8532,1980,8516,38003564\n";
    String visits = VISIT_HEADER + "10,1,9202,2020-01-05,2020-01-05,32817\n";
    Path first = dir.resolve("first");
    write(first.resolve("person.csv"), persons);
    write(first.resolve("visit_occurrence.csv"), visits);
    IngestSummary a = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, first.toString(), "S9"));
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    long personVersion = lakehouse.version(Tables.SILVER_PERSON);

    // Visit 10 and both persons again, unchanged; visits 11 and 12 new.
    Path next = dir.resolve("next");
    write(next.resolve("person.csv"), persons);
    write(next.resolve("visit_occurrence.csv"), visits
        + "11,2,9202,2020-02-01,2020-02-01,32817\n12,2,9203,2021-03-01,2021-03-01,32817\n");
    IngestSummary b = Ingest.run(spark, config,
        new IngestRequest(IngestRequest.OMOP_CSV, next.toString(), "S9"));

    assertThat(counts(b).get("visit_occurrence")).extracting("rowsInserted", "rowsUpdated")
        .containsExactly(2L, 0L);
    assertThat(counts(b).get("person")).extracting("rowsInserted", "rowsUpdated")
        .containsExactly(0L, 0L);
    assertThat(lakehouse.version(Tables.SILVER_PERSON)).isEqualTo(personVersion);
    Row merge = io.delta.tables.DeltaTable.forPath(spark,
        lakehouse.location(Tables.SILVER_VISIT)).history(1).first();
    assertThat(merge.<String>getAs("operation")).isEqualTo("MERGE");
    assertThat(scala.jdk.javaapi.CollectionConverters.asJava(
        merge.<scala.collection.Map<String, String>>getAs("operationMetrics")))
        .containsEntry("numTargetRowsInserted", "2").containsEntry("numTargetRowsUpdated", "0")
        .containsEntry("numTargetRowsCopied", "0").containsEntry("numTargetFilesRemoved", "0")
        .containsEntry("numTargetDeletionVectorsAdded", "0");
    assertThat(lakehouse.read(Tables.SILVER_VISIT).orderBy("visit_occurrence_id")
        .collectAsList()).extracting(r -> r.getAs("visit_occurrence_id") + " "
            + r.getAs("source_batch_id"))
        .containsExactly("10 " + a.batchId(), "11 " + b.batchId(), "12 " + b.batchId());
  }

  private static Map<String, IngestSummary.TableCounts> counts(IngestSummary summary) {
    return summary.tables().stream()
        .collect(Collectors.toMap(IngestSummary.TableCounts::table, Function.identity()));
  }

  @Test
  void aBatchIsSizedByItsSourceAndLeavesTheSessionAsItWas(SparkSession spark)
      throws IOException {
    long perPartition = Ingest.SOURCE_BYTES_PER_PARTITION;
    assertThat(Ingest.shufflePartitions(1_200_000, 8)).isEqualTo(2);
    assertThat(Ingest.shufflePartitions(5 * perPartition + 1, 8)).isEqualTo(6);
    assertThat(Ingest.shufflePartitions(100 * perPartition, 8)).isEqualTo(8);
    assertThat(Ingest.shufflePartitions(0, 1)).isEqualTo(1);

    FairgroveConfig config = SparkTestSession.testConfig(dir,
        "deid.dev-key=" + IngestMalformedInputTest.KEY);
    Path batch = dir.resolve("sized");
    write(batch.resolve("person.csv"), PERSON_HEADER + "1,8507,1970,8527,38003564\n");
    String sharedShuffle = spark.conf().get(SHUFFLE_PARTITIONS);
    String sharedSnapshot = spark.conf().get(SNAPSHOT_PARTITIONS);
    String sharedMaterialize = spark.conf().get(Ingest.MERGE_MATERIALIZE_SOURCE);
    String sharedCompression = spark.conf().get(Ingest.CACHE_COMPRESSED);
    String sharedWholeStage = spark.conf().get(WHOLE_STAGE_CODEGEN);
    spark.conf().set(SHUFFLE_PARTITIONS, "5");
    spark.conf().set(SNAPSHOT_PARTITIONS, "7");
    // Compiled, as in users' sessions: the small batch below interprets, then compiles again.
    spark.conf().set(WHOLE_STAGE_CODEGEN, "true");
    try {
      assertThat(Ingest.batchSettings(spark, 1_200_000)).containsEntry(SHUFFLE_PARTITIONS,
          "2").containsEntry(SNAPSHOT_PARTITIONS, "2")
          .containsEntry(Ingest.MERGE_MATERIALIZE_SOURCE, "none")
          .containsEntry(Ingest.CACHE_COMPRESSED, "false")
          .containsEntry(WHOLE_STAGE_CODEGEN, "false")
          .containsEntry("spark.sql.codegen.factoryMode", "NO_CODEGEN");
      assertThat(Ingest.batchSettings(spark, Ingest.INTERPRETED_UP_TO_BYTES))
          .containsEntry(WHOLE_STAGE_CODEGEN, "false");
      assertThat(Ingest.batchSettings(spark, Ingest.INTERPRETED_UP_TO_BYTES + 1))
          .doesNotContainKeys(WHOLE_STAGE_CODEGEN, "spark.sql.codegen.factoryMode");
      assertThat(Ingest.batchSettings(spark, 100 * perPartition))
          .containsEntry(SHUFFLE_PARTITIONS, "5")
          .containsEntry(SNAPSHOT_PARTITIONS, "5");
      Ingest.run(spark, config, new IngestRequest(IngestRequest.OMOP_CSV, batch.toString(), "S9"));
      assertThat(spark.conf().get(SHUFFLE_PARTITIONS)).isEqualTo("5");
      assertThat(spark.conf().get(SNAPSHOT_PARTITIONS)).isEqualTo("7");
      assertThat(spark.conf().get(WHOLE_STAGE_CODEGEN)).isEqualTo("true");
      assertThat(spark.conf().get(Ingest.MERGE_MATERIALIZE_SOURCE))
          .isEqualTo(sharedMaterialize);
      assertThat(spark.conf().get(Ingest.CACHE_COMPRESSED)).isEqualTo(sharedCompression)
          .isEqualTo("true");
    } finally {
      spark.conf().set(SHUFFLE_PARTITIONS, sharedShuffle);
      spark.conf().set(SNAPSHOT_PARTITIONS, sharedSnapshot);
      spark.conf().set(WHOLE_STAGE_CODEGEN, sharedWholeStage);
    }
  }

  @Test
  void aDateShiftMovesAllOfAPersonsDatesAlike(SparkSession spark) throws IOException {
    FairgroveConfig config = SparkTestSession.testConfig(dir,
        "deid.dev-key=" + IngestMalformedInputTest.KEY, "deid.date-shift-max-days=30");
    Path batch = dir.resolve("shift");
    write(batch.resolve("person.csv"), PERSON_HEADER + "1,8507,1970,8527,38003564\n");
    write(batch.resolve("visit_occurrence.csv"), VISIT_HEADER
        + "10,1,9202,2020-01-05,2020-01-07,32817\n11,1,9202,2020-03-01,2020-03-01,32817\n");
    Ingest.run(spark, config, new IngestRequest(IngestRequest.OMOP_CSV, batch.toString(), "S1"));
    List<Row> visits = new Lakehouse(spark, config.lakehouse.root())
        .read(Tables.SILVER_VISIT).orderBy("visit_occurrence_id").collectAsList();
    java.time.LocalDate start10 = visits.get(0).<java.sql.Date>getAs("visit_start_date")
        .toLocalDate();
    java.time.LocalDate end10 = visits.get(0).<java.sql.Date>getAs("visit_end_date")
        .toLocalDate();
    java.time.LocalDate start11 = visits.get(1).<java.sql.Date>getAs("visit_start_date")
        .toLocalDate();
    long shift = java.time.temporal.ChronoUnit.DAYS.between(
        java.time.LocalDate.of(2020, 1, 5), start10);
    assertThat(shift).isBetween(-30L, 30L);
    // Intervals are preserved: 2 days within visit 10, 56 days between the visits.
    assertThat(java.time.temporal.ChronoUnit.DAYS.between(start10, end10)).isEqualTo(2);
    assertThat(java.time.temporal.ChronoUnit.DAYS.between(start10, start11)).isEqualTo(56);
  }
}
