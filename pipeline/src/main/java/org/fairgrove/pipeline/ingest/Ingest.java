package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.fairgrove.pipeline.lakehouse.SparkSessions.SHUFFLE_PARTITIONS;
import static org.fairgrove.pipeline.lakehouse.SparkSessions.SNAPSHOT_PARTITIONS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.SparkSessions;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.synth.SyntheticPopulation;

/**
 * Ingest of one batch. Each source table is read once and passes the conformance checks and the
 * de-identification guard on its way to bronze, which keeps every row of the batch as the guard
 * let it through, with its verdict and lineage; no raw value is ever written. From bronze, rows
 * sharing a key are resolved, the counts and data quality checks are taken in one aggregation
 * per table, and accepted rows merge into silver by natural key. Rows that cannot be accepted go
 * to ops.quarantine, counts to ops.ingest_log, checks to ops.dq_results.
 *
 * <p>Every write is a Delta transaction and every step can be repeated: bronze replaces the
 * batch's rows (the batch is its partition), silver merges only changed rows, ops tables replace
 * the batch's rows, and the log is written last. A killed run, run again, ends with the tables an
 * uninterrupted run gives.
 */
public final class Ingest {
  /** Source bytes per shuffle partition: the demo's sites (113 to 188 MB) get 7 and 8. */
  static final long SOURCE_BYTES_PER_PARTITION = 16L << 20;
  /**
   * Delta copies a MERGE's source before merging unless it only reads Delta tables, so that a
   * source read twice gives the same rows. Silver's merge source is a local checkpoint already
   * (SilverTables): a second copy would only cost time.
   */
  static final String MERGE_MATERIALIZE_SOURCE = "spark.databricks.delta.merge.materializeSource";
  /**
   * Ingest's caches (a CSV or NDJSON table's scanned rows, every table's landed rows) live for
   * one table's few passes, and compressing them cost more than it saved: a Java Flight Recorder
   * profile of a 20k-person OMOP CSV first load found a fifth of the executors' samples building
   * the cached batches, most of it in the dictionary encoder's statistics. Left uncompressed, the
   * load took 111 s instead of 128 s and 183 s of CPU instead of 215 (three cold runs of each,
   * in turns).
   */
  static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";
  /**
   * A batch of at most this much source runs Spark's interpreted expressions
   * ({@link SparkSessions#INTERPRETED}): its few hundred queries (Delta's included) each touch a
   * few thousand rows, and compiling them cost more than it saved. In `fairgrove bench` at 5,000
   * persons, three runs of each in turns: the 300-person batch (1.2 MB) took 39.3 to 42.2 s
   * interpreted and 45.1 to 50.0 s compiled; the first loads' sites (5.7 to 9.0 MB) gained
   * nothing (127 to 139 s against 119 to 133 s), so they compile as before.
   */
  static final long INTERPRETED_UP_TO_BYTES = 4L << 20;
  private final SparkSession spark;
  private final FairgroveConfig config;
  private final Lakehouse lakehouse;
  private final SourceBatch batch;
  private final DeidGuard guard;
  private final String siteId;

  private Ingest(SparkSession spark, FairgroveConfig config, SourceBatch batch, byte[] key) {
    this.spark = spark;
    this.config = config;
    this.lakehouse = new Lakehouse(spark, config.lakehouse.root());
    this.batch = batch;
    this.guard = new DeidGuard(key, config.deid, config.run.seed());
    this.siteId = batch.request.siteId();
  }

  /** Ingests the batch, or reports it as already ingested when the log has it. */
  public static IngestSummary run(SparkSession spark, FairgroveConfig config,
      IngestRequest request) {
    long start = System.nanoTime();
    // The key is checked first: production without one fails before anything is read.
    byte[] key = Pseudonym.key(config);
    Progress.info("ingest: %s from %s, site %s", request.sourceFormat(), request.path(),
        request.siteId());
    SourceBatch batch = SourceBatch.open(spark, request, key);
    Map<String, String> sized = batchSettings(spark, batch.bytes);
    Progress.info("ingest: batch %s, %d tables, %.1f MB: %s shuffle partitions", batch.batchId,
        batch.filesByTable.size(), batch.bytes / 1e6, sized.get(SHUFFLE_PARTITIONS));
    OpsTables ops = new OpsTables(new Lakehouse(spark, config.lakehouse.root()));
    Optional<IngestSummary> done = ops.logged(batch.batchId, seconds(start));
    if (done.isPresent() && !config.ingest.force()) {
      Progress.info("ingest: batch %s is in the ingest log already; nothing to do",
          batch.batchId);
      return done.get();
    }
    return withSettings(spark, sized,
        () -> new Ingest(spark, config, batch, key).ingest(ops, start, done.isPresent()));
  }

  /** Runs the work with the session's settings changed, then sets them back as they were. */
  private static <T> T withSettings(SparkSession spark, Map<String, String> settings,
      Supplier<T> work) {
    Map<String, String> before = new LinkedHashMap<>();
    settings.forEach((setting, value) -> {
      before.put(setting, spark.conf().get(setting, null));
      spark.conf().set(setting, value);
    });
    try {
      return work.get();
    } finally {
      before.forEach((setting, value) -> {
        if (value == null) {
          spark.conf().unset(setting);
        } else {
          spark.conf().set(setting, value);
        }
      });
    }
  }

  /**
   * Spark settings for the batch's duration: shuffle partitions and Delta's snapshot partitions
   * sized to it (at most {@link #shufflePartitions}), no copy of merge sources
   * ({@link #MERGE_MATERIALIZE_SOURCE}), uncompressed caches ({@link #CACHE_COMPRESSED}) and,
   * for a small batch, interpreted expressions ({@link #INTERPRETED_UP_TO_BYTES}). Ingest
   * caches its landed and classified rows, and a cached plan keeps the partitions it was planned
   * with (AQE does not coalesce them, even when allowed to: measured), so a small batch planned
   * at the session's count ran mostly empty tasks. A 300-person batch (1.1 MB) into a
   * 2,000-person lakehouse took 10% less time with both at two than at eight; shuffle partitions
   * alone gained 2%.
   */
  static Map<String, String> batchSettings(SparkSession spark, long sourceBytes) {
    int partitions = shufflePartitions(sourceBytes,
        Integer.parseInt(spark.conf().get(SHUFFLE_PARTITIONS)));
    int snapshot = Math.min(partitions,
        Integer.parseInt(spark.conf().get(SNAPSHOT_PARTITIONS, Integer.toString(partitions))));
    Map<String, String> settings = new HashMap<>(Map.of(SHUFFLE_PARTITIONS,
        Integer.toString(partitions), SNAPSHOT_PARTITIONS, Integer.toString(snapshot),
        MERGE_MATERIALIZE_SOURCE, "none", CACHE_COMPRESSED, "false"));
    if (sourceBytes <= INTERPRETED_UP_TO_BYTES) {
      settings.putAll(SparkSessions.INTERPRETED);
    }
    return Map.copyOf(settings);
  }

  /**
   * One shuffle partition per {@link #SOURCE_BYTES_PER_PARTITION} of source, at least two and
   * at most the session's.
   */
  static int shufflePartitions(long sourceBytes, int sessionPartitions) {
    long wanted = Math.max(2, (sourceBytes + SOURCE_BYTES_PER_PARTITION - 1)
        / SOURCE_BYTES_PER_PARTITION);
    return (int) Math.min(sessionPartitions, wanted);
  }

  /**
   * Ingests every site folder of the synthetic population (synth.out/&lt;site&gt;) in the format
   * it was written in.
   */
  public static List<IngestSummary> syntheticPopulation(SparkSession spark,
      FairgroveConfig config) {
    List<IngestSummary> summaries = new ArrayList<>();
    for (String site : SyntheticPopulation.siteIds(config)) {
      summaries.add(run(spark, config, new IngestRequest(config.synth.format().sourceFormat(),
          Locations.child(config.synth.out(), site), site)));
    }
    return summaries;
  }

  /**
   * Ingests every batch waiting in nightly.landing (LANDING/&lt;batch&gt;/&lt;site&gt;/, batches
   * in name order) in nightly.source-format. Batches the ingest log has are reported as such and
   * change nothing, so landed folders need not be moved away.
   */
  public static List<IngestSummary> landed(SparkSession spark, FairgroveConfig config) {
    SourceFormat.named(config.nightly.sourceFormat());
    List<IngestSummary> summaries = new ArrayList<>();
    for (String batchFolder : subfolders(spark, config.nightly.landing())) {
      for (String siteFolder : subfolders(spark, batchFolder)) {
        summaries.add(run(spark, config, new IngestRequest(config.nightly.sourceFormat(),
            siteFolder, new Path(siteFolder).getName())));
      }
    }
    return summaries;
  }

  /** The folders directly under a folder, by name; none when it does not exist. */
  private static List<String> subfolders(SparkSession spark, String folder) {
    Path path = new Path(folder);
    try {
      FileSystem fs =
          path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        return List.of();
      }
      return Arrays.stream(fs.listStatus(path))
          .filter(FileStatus::isDirectory)
          .map(s -> s.getPath().toString())
          .filter(p -> !new Path(p).getName().startsWith("."))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Listing " + folder + " failed", e);
    }
  }

  /** @param logged the log has the batch already (a forced re-run): it keeps that record */
  private IngestSummary ingest(OpsTables ops, long start, boolean logged) {
    List<SourceTable> tables = new ArrayList<>();
    for (SourceTable table : SourceTable.values()) {
      if (batch.format.provides(table, batch)) {
        tables.add(table);
      }
    }
    Map<SourceTable, Checked> checked = new LinkedHashMap<>();
    try {
      PersonContext persons = persons();
      try {
        List<Checked> landed = perTable(tables, table -> check(table, land(table, persons)));
        landed.forEach(c -> checked.put(c.table(), c));
      } finally {
        // The source rows are in bronze now; the files are read again only for unknown tables.
        batch.release();
      }
      List<IngestSummary.TableCounts> unused = new ArrayList<>();
      ops.writeQuarantine(batch.batchId, quarantine(checked, unused));
      List<DataQuality.Result> results = checked.values().stream()
          .flatMap(c -> c.results().stream()).toList();
      ops.writeDataQuality(batch.batchId, siteId, results);
      failOnFatal(results);
      List<IngestSummary.TableCounts> counts = merge(checked, ops.tablesWithRows(siteId));
      counts.addAll(unused);
      // Written last: a batch in the log is complete.
      if (!logged) {
        ops.writeLog(batch.batchId, siteId, batch.request.sourceFormat(), counts);
      }
      List<IngestSummary.Flag> flags = results.stream().filter(r -> !r.passed())
          .map(r -> new IngestSummary.Flag(r.table(), r.check(), r.severity(), r.rowsFailed(),
              r.rowsChecked()))
          .toList();
      return new IngestSummary(batch.batchId, siteId, batch.request.sourceFormat(), false,
          counts, flags, seconds(start));
    } finally {
      checked.values().forEach(c -> c.duplicates().release());
      batch.release();
    }
  }

  /**
   * The persons of the site that the other tables are checked against: the batch's person,
   * death and observation period rows and silver's, cached for the batch.
   */
  private PersonContext persons() {
    Progress.Stage stage = Progress.start("ingest persons of site " + siteId);
    PersonContext persons = PersonContext.of(spark, new PersonContext.Sources(
        parsed(SourceTable.PERSON), parsed(SourceTable.DEATH),
        parsed(SourceTable.OBSERVATION_PERIOD), silverOfSite(SourceTable.PERSON),
        silverOfSite(SourceTable.DEATH), silverOfSite(SourceTable.OBSERVATION_PERIOD)),
        guard, guard.foldedYear(), config.ingest.maxDaysAfterDeath());
    stage.done(persons.materialize());
    return persons;
  }

  /** The table's rows of the batch, parsed and checked on their own; null if it has none. */
  private Dataset<Row> parsed(SourceTable table) {
    if (!batch.format.provides(table, batch)) {
      return null;
    }
    return Conform.parse(table, batch.format.rows(table, batch),
        batch.format.columns(table, batch), siteId, guard);
  }

  /**
   * Conforms and guards the table's rows of the batch into bronze (replacing earlier ones) and
   * returns them, cached: what follows reads the rows bronze holds without a second Delta read.
   */
  private Dataset<Row> land(SourceTable table, PersonContext persons) {
    Progress.Stage stage = Progress.start("ingest land " + table.table());
    Dataset<Row> landed = Lakehouse.conform(Tables.bronze(table.table()), Conform.land(table,
        parsed(table), persons, batch.format.refusesUnknownPersons(), guard, siteId,
        batch.batchId))
        .persist(StorageLevel.MEMORY_AND_DISK());
    lakehouse.write(Tables.bronze(table.table()), landed, batch.batchId);
    stage.done();
    return landed;
  }

  /**
   * Runs the work for every table, up to ingest.parallel-tables at once, and returns the
   * results in table order; the first failure is rethrown once the others have stopped.
   */
  private <T> List<T> perTable(List<SourceTable> tables, Function<SourceTable, T> work) {
    int threads = Math.max(1, Math.min(config.ingest.parallelTables(), tables.size()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (SourceTable table : tables) {
        futures.add(pool.submit(() -> work.apply(table)));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      pool.shutdownNow();
      throw e.getCause() instanceof RuntimeException runtime ? runtime
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Ingest was interrupted", e);
    } finally {
      pool.shutdown();
    }
  }

  /** A table's classified rows of this batch, with its counts and check results. */
  private record Checked(SourceTable table, Duplicates duplicates,
      IngestSummary.TableCounts counts, List<DataQuality.Result> results) {
    Dataset<Row> classified() {
      return duplicates.classified();
    }
  }

  /**
   * Resolves repeated keys, then counts and checks the table in one aggregation.
   *
   * @param landed the table's bronze rows of the batch (cached; released with the result)
   */
  private Checked check(SourceTable table, Dataset<Row> landed) {
    Progress.Stage stage = Progress.start("ingest check " + table.table());
    Duplicates duplicates = new Duplicates(table, landed);
    Column accepted = Duplicates.accepted();
    List<DataQuality.Check> checks = new DataQuality(config).checks(table);
    List<Column> aggregates = new ArrayList<>(List.of(count(lit(1)),
        count_if(col(Conform.REASON).isNotNull()), count_if(col(Duplicates.DUPLICATE)),
        sum(when(accepted, col(Conform.IDENTIFIERS_REDACTED)).otherwise(0)),
        sum(when(accepted, col(Conform.VALUES_WITHHELD)).otherwise(0))));
    int offset = aggregates.size();
    aggregates.addAll(DataQuality.aggregates(checks));
    Row row = duplicates.classified().agg(aggregates.get(0),
        aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    long read = row.getLong(0);
    long quarantined = row.getLong(1);
    long duplicate = row.getLong(2);
    IngestSummary.TableCounts counts = new IngestSummary.TableCounts(table.table(),
        IngestSummary.INGESTED, read, read - quarantined - duplicate, quarantined, duplicate, 0,
        0, batch.format.droppedColumns(table, batch), row.isNullAt(3) ? 0 : row.getLong(3),
        row.isNullAt(4) ? 0 : row.getLong(4));
    stage.done(read);
    return new Checked(table, duplicates, counts,
        DataQuality.results(table, checks, row, offset));
  }

  /**
   * The batch's quarantine: every table's rejected rows, and the rows of files the format does
   * not map when it quarantines those; files it leaves unread are listed in {@code unused}.
   */
  private Dataset<Row> quarantine(Map<SourceTable, Checked> checked,
      List<IngestSummary.TableCounts> unused) {
    Dataset<Row> quarantine = null;
    for (Checked c : checked.values()) {
      Dataset<Row> rows = c.classified().where(col(Conform.REASON).isNotNull())
          .select(lit(c.table().table()).as("table_name"), col(SourceFiles.SOURCE_FILE),
              col(SourceFiles.ROW_POSITION), col(SourceFiles.ROW_HASH),
              col(Conform.REASON), col(Conform.OFFENDING));
      quarantine = quarantine == null ? rows : quarantine.unionByName(rows);
    }
    for (String file : batch.filesByTable.keySet()) {
      if (batch.format.uses(file)) {
        continue;
      }
      if (batch.format.unused() == SourceFormat.Unused.NOT_MAPPED) {
        unused.add(new IngestSummary.TableCounts(file, IngestSummary.NOT_MAPPED, 0, 0, 0, 0, 0,
            0, batch.columns(file), 0, 0));
        continue;
      }
      Dataset<Row> rows = batch.rows(file);
      long read = rows.count();
      Dataset<Row> unknown = rows.select(lit(file).as("table_name"),
          col(SourceFiles.SOURCE_FILE), col(SourceFiles.ROW_POSITION), col(SourceFiles.ROW_HASH),
          lit(Conform.UNKNOWN_TABLE).as(Conform.REASON),
          array().cast("array<string>").as(Conform.OFFENDING));
      quarantine = quarantine == null ? unknown : quarantine.unionByName(unknown);
      unused.add(new IngestSummary.TableCounts(file, IngestSummary.UNKNOWN_TABLE, read, 0, read,
          0, 0, 0, batch.columns(file), 0, 0));
    }
    if (quarantine == null) {
      return spark.createDataFrame(List.of(), Tables.OPS_QUARANTINE.schema());
    }
    return quarantine.select(lit(batch.batchId).as("batch_id"), lit(siteId).as("site_id"),
        col("table_name"), col(SourceFiles.SOURCE_FILE), col(SourceFiles.ROW_POSITION),
        col(Conform.REASON), col(Conform.OFFENDING), col(SourceFiles.ROW_HASH));
  }

  private void failOnFatal(List<DataQuality.Result> results) {
    List<String> fatal = results.stream()
        .filter(r -> DataQuality.FATAL.equals(r.severity()) && !r.passed())
        .map(r -> String.format(Locale.ROOT, "%s.%s %.1f%% > %.1f%%", r.table(),
            r.check(), 100 * r.failedShare(), 100 * r.threshold()))
        .toList();
    if (!fatal.isEmpty()) {
      throw Errors.dataQualityFailed(batch.batchId, fatal);
    }
  }

  /**
   * Merges every table's accepted rows into silver; absent tables are listed as such.
   *
   * @param withRows the tables the ingest log shows rows of the site in
   */
  private List<IngestSummary.TableCounts> merge(Map<SourceTable, Checked> checked,
      Set<String> withRows) {
    SilverTables silver = new SilverTables(spark, lakehouse);
    List<SourceTable> tables = List.copyOf(checked.keySet());
    List<IngestSummary.TableCounts> merged = perTable(tables, table -> {
      Progress.Stage stage = Progress.start("ingest merge " + table.table());
      Checked c = checked.get(table);
      SilverTables.Merged result = silver.merge(table, SilverTables.silverColumns(table,
          c.classified().where(Duplicates.accepted())), c.counts().rowsAccepted(), siteId,
          withRows.contains(table.table()));
      stage.done(result.inserted() + result.updated());
      return c.counts().merged(result.inserted(), result.updated());
    });
    List<IngestSummary.TableCounts> counts = new ArrayList<>();
    for (SourceTable table : SourceTable.values()) {
      int index = tables.indexOf(table);
      counts.add(index >= 0 ? merged.get(index) : new IngestSummary.TableCounts(table.table(),
          IngestSummary.ABSENT, 0, 0, 0, 0, 0, 0, List.of(), 0, 0));
    }
    return counts;
  }

  /** Silver's rows of the site, or null when silver lacks the table. */
  private Dataset<Row> silverOfSite(SourceTable table) {
    Table id = Tables.silver(table.table());
    if (!lakehouse.exists(id)) {
      return null;
    }
    return lakehouse.read(id).where(col("site_id").equalTo(siteId));
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
