package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.synth.SyntheticPopulation;

/**
 * Ingest of one batch: source files land in bronze as strings, pass the de-identification guard
 * and the conformance checks, and merge into silver by natural key; rows that cannot be conformed
 * go to ops.quarantine, counts to ops.ingest_log, checks to ops.dq_results.
 *
 * <p>Every write is a Delta transaction and every step can be repeated: bronze keeps a batch's
 * first landing, silver merges only changed rows, ops tables replace the batch's rows, and the log
 * is written last. A killed run, run again, ends with the tables an uninterrupted run gives.
 */
public final class Ingest {
  private static final String BATCH_ID = "batch_id";

  private final SparkSession spark;
  private final FairgroveConfig config;
  private final Lakehouse lakehouse;
  private final SourceBatch batch;
  private final DeidGuard guard;
  private final Map<String, Dataset<Row>> landedSyntheaFiles = new HashMap<>();

  private Ingest(SparkSession spark, FairgroveConfig config, SourceBatch batch, byte[] key) {
    this.spark = spark;
    this.config = config;
    this.lakehouse = new Lakehouse(spark, config.lakehouse.root());
    this.batch = batch;
    this.guard = new DeidGuard(key, config.deid, config.run.seed());
  }

  /** Ingests the batch, or reports it as already ingested when the log has it. */
  public static IngestSummary run(SparkSession spark, FairgroveConfig config,
      IngestRequest request) {
    long start = System.nanoTime();
    // The key is checked first: production without one fails before anything is read.
    byte[] key = Pseudonym.key(config);
    Progress.info("ingest: %s from %s, site %s", request.sourceFormat(), request.path(),
        request.siteId());
    SourceBatch batch = SourceBatch.open(spark, request);
    Progress.info("ingest: batch %s, %d tables", batch.batchId, batch.filesByTable.size());
    OpsTables ops = new OpsTables(spark, new Lakehouse(spark, config.lakehouse.root()));
    Optional<IngestSummary> done = ops.logged(batch.batchId, seconds(start));
    if (done.isPresent() && !config.ingest.force()) {
      Progress.info("ingest: batch %s is in the ingest log already; nothing to do",
          batch.batchId);
      return done.get();
    }
    return new Ingest(spark, config, batch, key).ingest(ops, start, done.isPresent());
  }

  /**
   * Ingests every site folder of the synthetic population (synth.out/&lt;site&gt;) in the format
   * it was written in.
   */
  public static List<IngestSummary> syntheticPopulation(SparkSession spark,
      FairgroveConfig config) {
    List<IngestSummary> summaries = new ArrayList<>();
    for (String site : SyntheticPopulation.siteIds(config)) {
      summaries.add(run(spark, config, new IngestRequest("omop-" + config.synth.format(),
          Locations.child(config.synth.out(), site), site)));
    }
    return summaries;
  }

  /** @param logged the log has the batch already (a forced re-run): it keeps that record */
  private IngestSummary ingest(OpsTables ops, long start, boolean logged) {
    String batchId = batch.batchId;
    String siteId = batch.request.siteId();
    DataQuality quality = new DataQuality(config);
    Map<SourceTable, Dataset<Row>> classifiedByTable = new LinkedHashMap<>();
    Map<SourceTable, IngestSummary.TableCounts> counts = new LinkedHashMap<>();
    List<DataQuality.Result> results = new ArrayList<>();
    Dataset<Row> quarantine = emptyQuarantine();
    Dataset<Row> births = null;
    Dataset<Row> deaths = null;
    try {
      for (SourceTable table : SourceTable.values()) {
        if (!provides(table)) {
          continue;
        }
        Progress.Stage stage = Progress.start("ingest " + table.table());
        Dataset<Row> landed = sourceRows(table);
        Conform.References references = new Conform.References(
            withSilver(births, silverBirths()), withSilver(deaths, silverDeaths()),
            config.ingest.maxDaysAfterDeath());
        Dataset<Row> classified = Conform.classify(table, landed, sourceColumns(table), siteId,
            batchId, guard, references)
            .persist(StorageLevel.MEMORY_AND_DISK());
        classifiedByTable.put(table, classified);
        Dataset<Row> accepted = accepted(classified);
        if (table == SourceTable.PERSON) {
          births = accepted.select(col("person_id"), col(Conform.BIRTH_DATE));
        } else if (table == SourceTable.DEATH) {
          deaths = accepted.select(col("person_id"),
              date_sub(col("death_date"), guard.shiftDays(col("person_id"))).as("death_date"));
        }
        IngestSummary.TableCounts tableCounts = counts(table, classified);
        counts.put(table, tableCounts);
        results.addAll(quality.tableChecks(table, classified));
        quarantine = quarantine.unionByName(quarantined(table.table(), classified));
        stage.done(tableCounts.rowsRead());
      }
      Dataset<Row> persons = personsOfSite(births);
      Dataset<Row> periods = periodsOfSite(classifiedByTable.get(SourceTable.OBSERVATION_PERIOD));
      classifiedByTable.forEach((table, classified) -> results.addAll(
          quality.crossTableChecks(table, accepted(classified), persons, periods)));
      List<IngestSummary.TableCounts> unknown = new ArrayList<>();
      for (String table : batch.filesByTable.keySet()) {
        if (batch.request.synthea()) {
          if (!SyntheaCsv.mapped(table)) {
            // Synthea files the mapping does not use (claims, allergies, ...) stay in the source.
            unknown.add(new IngestSummary.TableCounts(table, IngestSummary.NOT_MAPPED, 0, 0, 0, 0,
                0, 0, batch.columns(table), 0));
          }
        } else if (SourceTable.byName(table).isEmpty()) {
          Dataset<Row> rows = batch.rows(table);
          long read = rows.count();
          quarantine = quarantine.unionByName(rows.select(lit(table).as("table_name"),
              col(SourceBatch.SOURCE_FILE).as("source_file"),
              col(SourceBatch.ROW_POSITION).as("row_position"),
              lit(Conform.UNKNOWN_TABLE).as("reason_code"),
              array().cast("array<string>").as("offending_columns")));
          unknown.add(new IngestSummary.TableCounts(table, IngestSummary.UNKNOWN_TABLE, read, 0,
              read, 0, 0, 0, batch.columns(table), 0));
        }
      }
      Dataset<Row> quarantineRows = quarantine.select(lit(batchId).as(BATCH_ID),
          lit(siteId).as("site_id"), col("table_name"), col("source_file"),
          col("row_position"), col("reason_code"), col("offending_columns"));
      ops.writeQuarantine(batchId, quarantineRows);
      ops.writeDataQuality(batchId, siteId, results);
      List<String> fatal = results.stream()
          .filter(r -> DataQuality.FATAL.equals(r.severity()) && !r.passed())
          .map(r -> String.format(Locale.ROOT, "%s.%s %.1f%% > %.1f%%", r.table(),
              r.check(), 100 * r.failedShare(), 100 * r.threshold()))
          .toList();
      if (!fatal.isEmpty()) {
        throw Errors.dataQualityFailed(batchId, fatal);
      }

      SilverTables silver = new SilverTables(spark, lakehouse);
      List<IngestSummary.TableCounts> tables = new ArrayList<>();
      for (SourceTable table : SourceTable.values()) {
        IngestSummary.TableCounts before = counts.get(table);
        if (before == null) {
          tables.add(new IngestSummary.TableCounts(table.table(), IngestSummary.ABSENT, 0, 0, 0,
              0, 0, 0, List.of(), 0));
          continue;
        }
        Progress.Stage stage = Progress.start("ingest merge " + table.table());
        SilverTables.Merged merged = silver.merge(table,
            SilverTables.silverColumns(table, accepted(classifiedByTable.get(table))));
        stage.done(merged.inserted() + merged.updated());
        tables.add(new IngestSummary.TableCounts(before.table(), before.status(),
            before.rowsRead(), before.rowsAccepted(), before.rowsQuarantined(),
            before.rowsDuplicate(), merged.inserted(), merged.updated(), before.columnsDropped(),
            before.identifiersRedacted()));
      }
      tables.addAll(unknown);
      // Written last: a batch in the log is complete.
      if (!logged) {
        ops.writeLog(batchId, siteId, batch.request.sourceFormat(), tables);
      }
      List<IngestSummary.Flag> flags = results.stream().filter(r -> !r.passed())
          .map(r -> new IngestSummary.Flag(r.table(), r.check(), r.severity(), r.rowsFailed(),
              r.rowsChecked()))
          .toList();
      return new IngestSummary(batchId, siteId, batch.request.sourceFormat(), false, tables,
          flags, seconds(start));
    } finally {
      classifiedByTable.values().forEach(Dataset::unpersist);
    }
  }

  /** The batch has what the OMOP table is made from. */
  private boolean provides(SourceTable table) {
    return batch.request.synthea() ? SyntheaCsv.provides(table, batch)
        : batch.filesByTable.containsKey(table.table());
  }

  /** The OMOP table's rows in the batch, every column a string, with lineage. */
  private Dataset<Row> sourceRows(SourceTable table) {
    return batch.request.synthea() ? SyntheaCsv.rows(table, this::landedSyntheaFile)
        : land(table.table(), table.table());
  }

  /** The source columns the OMOP table's rows have. */
  private List<String> sourceColumns(SourceTable table) {
    return batch.request.synthea() ? SyntheaCsv.columns(table) : batch.columns(table.table());
  }

  /**
   * A Synthea file's rows, landed in bronze.synthea_FILE once (patients and encounters each feed
   * two OMOP tables); null when the batch lacks the file.
   */
  private Dataset<Row> landedSyntheaFile(String file) {
    if (!batch.filesByTable.containsKey(file)) {
      return null;
    }
    return landedSyntheaFiles.computeIfAbsent(file, f -> land(f, "synthea_" + f));
  }

  /**
   * Lands the source table's files in bronze (every source column as a string, with lineage) and
   * returns this batch's rows there. A batch already landed (an atomic append) is not landed
   * twice, so the first landing time stays.
   */
  private Dataset<Row> land(String sourceTable, String bronzeTable) {
    Table bronze = Tables.bronze(bronzeTable);
    String location = lakehouse.location(bronze);
    boolean landed = lakehouse.exists(bronze) && !lakehouse.read(bronze)
        .where(col(BATCH_ID).equalTo(batch.batchId)).isEmpty();
    if (!landed) {
      batch.rows(sourceTable)
          .withColumn(BATCH_ID, lit(batch.batchId))
          .withColumn("ingested_at", current_timestamp())
          .write().format("delta").mode(SaveMode.Append)
          .option("mergeSchema", "true")
          .partitionBy(BATCH_ID)
          .save(location);
    }
    return lakehouse.read(bronze).where(col(BATCH_ID).equalTo(batch.batchId));
  }

  private static Dataset<Row> accepted(Dataset<Row> classified) {
    return classified.where(col(Conform.REASON).isNull()
        .and(col(Conform.DUPLICATE).equalTo(false)));
  }

  private IngestSummary.TableCounts counts(SourceTable table, Dataset<Row> classified) {
    Row c = classified.agg(
        count(lit(1)),
        count_if(col(Conform.REASON).isNotNull()),
        count_if(col(Conform.DUPLICATE)),
        coalesce(sum(when(col(Conform.REASON).isNull()
            .and(col(Conform.DUPLICATE).equalTo(false)), col(Conform.IDENTIFIER_HITS))),
            lit(0L))).first();
    long read = c.getLong(0);
    long quarantined = c.getLong(1);
    long duplicates = c.getLong(2);
    List<String> contract = List.of(table.silverSchema().fieldNames());
    List<String> dropped = batch.request.synthea() ? SyntheaCsv.droppedColumns(table, batch)
        : batch.columns(table.table()).stream().filter(column -> !contract.contains(column))
            .toList();
    return new IngestSummary.TableCounts(table.table(), IngestSummary.INGESTED, read,
        read - quarantined - duplicates, quarantined, duplicates, 0, 0, dropped, c.getLong(3));
  }

  private static Dataset<Row> quarantined(String table, Dataset<Row> classified) {
    return classified.where(col(Conform.REASON).isNotNull()).select(
        lit(table).as("table_name"), col("source_file"),
        col(Conform.ROW_POSITION).as("row_position"), col(Conform.REASON).as("reason_code"),
        col(Conform.OFFENDING).as("offending_columns"));
  }

  private Dataset<Row> emptyQuarantine() {
    StructType shape = new StructType()
        .add("table_name", DataTypes.StringType)
        .add("source_file", DataTypes.StringType)
        .add("row_position", DataTypes.LongType)
        .add("reason_code", DataTypes.StringType)
        .add("offending_columns", DataTypes.createArrayType(DataTypes.StringType));
    return spark.createDataFrame(List.of(), shape);
  }

  /** This batch's rows first; silver's rows of the site for persons the batch does not carry. */
  private static Dataset<Row> withSilver(Dataset<Row> fromBatch, Dataset<Row> fromSilver) {
    if (fromBatch == null) {
      return fromSilver;
    }
    Dataset<Row> inBatch = fromBatch.select(col("person_id").as("_batch_person"));
    return fromBatch.unionByName(fromSilver.join(inBatch,
        fromSilver.col("person_id").equalTo(inBatch.col("_batch_person")), "left_anti"));
  }

  private Dataset<Row> silverOfSite(SourceTable table) {
    Table id = Tables.silver(table.table());
    if (!lakehouse.exists(id)) {
      return spark.createDataFrame(List.of(), table.silverSchema());
    }
    return lakehouse.read(id).where(col("site_id").equalTo(batch.request.siteId()));
  }

  /** Births known from silver: January 1 of the (possibly folded) year of birth. */
  private Dataset<Row> silverBirths() {
    return silverOfSite(SourceTable.PERSON).select(col("person_id"),
        make_date(col("year_of_birth"), lit(1), lit(1)).as(Conform.BIRTH_DATE));
  }

  /** Deaths known from silver, shifted back to source dates. */
  private Dataset<Row> silverDeaths() {
    return silverOfSite(SourceTable.DEATH).select(col("person_id"),
        date_sub(col("death_date"), guard.shiftDays(col("person_id"))).as("death_date"));
  }

  private Dataset<Row> personsOfSite(Dataset<Row> births) {
    Dataset<Row> silverPersons = silverOfSite(SourceTable.PERSON).select("person_id");
    return births == null ? silverPersons
        : births.select("person_id").unionByName(silverPersons);
  }

  /** Observation periods of the site (this batch's accepted and silver's), as shifted dates. */
  private Dataset<Row> periodsOfSite(Dataset<Row> classifiedPeriods) {
    Dataset<Row> periods = silverOfSite(SourceTable.OBSERVATION_PERIOD);
    if (classifiedPeriods != null) {
      periods = periods.select("person_id", "observation_period_start_date",
          "observation_period_end_date").unionByName(accepted(classifiedPeriods).select(
              "person_id", "observation_period_start_date", "observation_period_end_date"));
    }
    return periods.select(col("person_id").as("op_person_id"),
        col("observation_period_start_date").as("op_start"),
        col("observation_period_end_date").as("op_end"));
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
