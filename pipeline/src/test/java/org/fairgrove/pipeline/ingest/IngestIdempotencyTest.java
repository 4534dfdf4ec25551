package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic population as `fairgrove synth` writes it: it ingests cleanly, no source
 * identifier is at rest, and ingesting the same batch again changes nothing.
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestIdempotencyTest {
  private static final String KEY = IngestMalformedInputTest.KEY;

  @TempDir static Path dir;
  private final SparkSession spark;
  private FairgroveConfig config;
  private Lakehouse lakehouse;
  private IngestRequest request;
  private IngestSummary first;

  IngestIdempotencyTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void generateAndIngestOnce() {
    config = SparkTestSession.testConfig(dir, "synth.persons=60", "synth.sites=1",
        "deid.dev-key=" + KEY);
    SyntheticPopulation.generate(spark, config);
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    request = new IngestRequest(IngestRequest.OMOP_CSV, config.synth.out() + "/S1", "S1");
    first = Ingest.run(spark, config, request);
  }

  private Dataset<Row> source(String table) {
    return spark.read().option("header", "true").csv(config.synth.out() + "/S1/" + table);
  }

  @Test
  void theSyntheticPopulationIsAcceptedWholeAndCountsReconcile() {
    assertThat(first.alreadyIngested()).isFalse();
    assertThat(first.rowsRead()).isPositive().isEqualTo(first.rowsAccepted());
    assertThat(first.tables()).allSatisfy(t -> assertThat(t.reconciles()).isTrue());
    assertThat(first.tables()).filteredOn(t -> t.status().equals(IngestSummary.INGESTED))
        .allSatisfy(t -> assertThat(t.rowsInserted()).isEqualTo(t.rowsRead()));
    assertThat(lakehouse.read(Tables.SILVER_VISIT).count())
        .isEqualTo(source("visit_occurrence").count());
  }

  @Test
  void noSourceIdentifierIsAtRest() {
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    Dataset<Row> sourcePersons = source("person").select("person_id", "person_source_value");
    Set<Long> sourceIds = sourcePersons.collectAsList().stream()
        .map(r -> Long.parseLong(r.getString(0))).collect(Collectors.toSet());
    assertThat(sourceIds).hasSize(60);
    Set<Long> pseudonyms = sourceIds.stream()
        .map(id -> Pseudonym.of(key, "S1", Long.toString(id))).collect(Collectors.toSet());
    for (TableId table : lakehouse.tables()) {
      if (!table.schema().equals("silver") && !table.schema().equals("bronze")) {
        continue;
      }
      // Every person id is a pseudonym of a source person, never a source id.
      Set<Long> personIds = lakehouse.read(table).select("person_id").distinct().collectAsList()
          .stream().map(r -> r.getLong(0)).collect(Collectors.toSet());
      assertThat(personIds).as(table.toString()).isSubsetOf(pseudonyms)
          .doesNotContainAnyElementsOf(sourceIds);
    }
    // No source person value anywhere at rest, whole or inside a value. (Source ids are small
    // numbers, which many other values equal; the pseudonyms above are their check.)
    assertThat(ValuesAtRest.identifiers(spark, lakehouse,
        sourcePersons.select(col("person_source_value").as("value")))).isEmpty();
  }

  @Test
  void silverIsReDerivableFromBronze() {
    for (IngestSummary.TableCounts counts : first.tables()) {
      if (!counts.status().equals(IngestSummary.INGESTED)) {
        continue;
      }
      Dataset<Row> silver = lakehouse.read(Tables.silver(counts.table()));
      Dataset<Row> bronze = lakehouse.read(Tables.bronze(counts.table()))
          .where(col("reason_code").isNull());
      List<String> shared = Arrays.stream(silver.columns())
          .filter(Set.of(bronze.columns())::contains).toList();
      assertThat(shared).as(counts.table()).contains("person_id", "source_file");
      Column[] columns = shared.stream().map(functions::col).toArray(Column[]::new);
      assertThat(bronze.count()).as(counts.table()).isEqualTo(silver.count());
      assertThat(bronze.select(columns).exceptAll(silver.select(columns)).count())
          .as(counts.table()).isZero();
    }
  }

  /**
   * The same population written as Parquet, whose numbers and dates are parsed from the file's
   * types rather than from text, lands the same silver rows as its CSV.
   */
  @Test
  void theSamePopulationAsParquetLandsTheSameSilverRows() {
    FairgroveConfig parquet = SparkTestSession.testConfig(dir.resolve("parquet"),
        "synth.persons=60", "synth.sites=1", "synth.format=parquet", "deid.dev-key=" + KEY);
    SyntheticPopulation.generate(spark, parquet);
    IngestSummary fromParquet = Ingest.run(spark, parquet, new IngestRequest(
        IngestRequest.OMOP_PARQUET, parquet.synth.out() + "/S1", "S1"));
    Lakehouse parquetLakehouse = new Lakehouse(spark, parquet.lakehouse.root());
    assertThat(fromParquet.rowsAccepted()).isEqualTo(first.rowsAccepted());
    // Lineage names each format's own files and batch.
    String[] lineage = SourceTable.LINEAGE.toArray(String[]::new);
    for (IngestSummary.TableCounts counts : first.tables()) {
      if (counts.status().equals(IngestSummary.INGESTED)) {
        Dataset<Row> csv = lakehouse.read(Tables.silver(counts.table())).drop(lineage);
        Dataset<Row> rows = parquetLakehouse.read(Tables.silver(counts.table())).drop(lineage);
        assertThat(rows.count()).as(counts.table()).isEqualTo(csv.count()).isPositive();
        assertThat(rows.exceptAll(csv).count()).as(counts.table()).isZero();
      }
    }
  }

  @Test
  void onlyTheOwnerCanReadTheLakehouse() throws Exception {
    try (var paths = Files.walk(Path.of(config.lakehouse.root()))) {
      assertThat(paths.filter(p -> !Files.isSymbolicLink(p)).toList()).allSatisfy(p ->
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
              .as(p.toString()).matches("rw[-x]------"));
    }
  }

  @Test
  void silverRefusesRowsThatBreakItsContract() {
    Dataset<Row> visit = lakehouse.read(Tables.SILVER_VISIT).limit(1);
    Dataset<Row> endsBeforeItStarts = visit.withColumn("visit_end_date",
        date_sub(col("visit_start_date"), 1));
    Dataset<Row> sourceId = visit.withColumn("person_id", lit(-7L));
    for (Object[] bad : List.of(
        new Object[] {endsBeforeItStarts, "visit_occurrence_end_not_before_start"},
        new Object[] {sourceId, "person_id_is_pseudonym"})) {
      assertThatThrownBy(() -> ((Dataset<?>) bad[0]).write().format("delta")
          .mode(SaveMode.Append).save(lakehouse.location(Tables.SILVER_VISIT)))
          .hasStackTraceContaining((String) bad[1]);
    }
  }

  @Test
  void theSameBatchAgainChangesNoTable() {
    Map<TableId, Long> versions = versions();
    Map<TableId, List<Row>> contents = contents();
    for (int run = 2; run <= 3; run++) {
      IngestSummary again = Ingest.run(spark, config, request);
      assertThat(again.alreadyIngested()).isTrue();
      assertThat(again.batchId()).isEqualTo(first.batchId());
      assertThat(again.rowsRead()).isEqualTo(first.rowsRead());
    }
    assertThat(versions()).isEqualTo(versions);
    assertThat(contents()).isEqualTo(contents);

    // Forced past the log, the batch lands in bronze again (replacing its own partition with the
    // same rows), the merge finds nothing changed so silver is not even committed to, and the
    // ops tables end with the same content.
    IngestSummary forced = Ingest.run(spark, config.with(List.of("ingest.force=true")), request);
    assertThat(forced.alreadyIngested()).isFalse();
    assertThat(forced.tables()).allSatisfy(t -> {
      assertThat(t.rowsInserted()).isZero();
      assertThat(t.rowsUpdated()).isZero();
    });
    versions().forEach((table, version) -> {
      if (table.schema().equals("silver")) {
        assertThat(version).as(table.toString()).isEqualTo(versions.get(table));
      }
    });
    assertThat(contents()).isEqualTo(contents);
  }

  private Map<TableId, Long> versions() {
    Map<TableId, Long> versions = new LinkedHashMap<>();
    for (TableId table : lakehouse.tables()) {
      versions.put(table, DeltaTable.forPath(spark, lakehouse.location(table)).history(1)
          .first().<Long>getAs("version"));
    }
    return versions;
  }

  /** Every ingest table's rows but the landing time, sorted (small test tables). */
  private Map<TableId, List<Row>> contents() {
    Map<TableId, List<Row>> contents = new LinkedHashMap<>();
    for (TableId table : lakehouse.tables()) {
      if (table.schema().equals("truth")) {
        continue;
      }
      Dataset<Row> rows = lakehouse.read(table).drop("ingested_at");
      contents.put(table, rows.orderBy(rows.columns()[0], rows.columns()).collectAsList());
    }
    return contents;
  }
}
