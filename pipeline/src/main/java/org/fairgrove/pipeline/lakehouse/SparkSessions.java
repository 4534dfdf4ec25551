package org.fairgrove.pipeline.lakehouse;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;

/** Builds the SparkSession every job runs in: Delta enabled, UTC, deterministic settings. */
public final class SparkSessions {
  /** Spark's setting for the partitions of a shuffle. */
  public static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";
  /** Delta's setting for the partitions of a table's snapshot state. */
  public static final String SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";
  /** Delta's default for spark.databricks.delta.snapshotPartitions. */
  private static final int DELTA_SNAPSHOT_PARTITIONS = 50;
  /**
   * Spark's interpreted expressions in place of generated code, where Spark offers the choice:
   * for a query over a few thousand rows, compiling it costs more than running it. Set for the
   * test JVMs and for a small ingest batch ({@code Ingest.batchSettings}).
   */
  public static final Map<String, String> INTERPRETED = Map.of(
      "spark.sql.codegen.wholeStage", "false",
      // Spark's switch for testing either path (its default compiles and interprets only what
      // fails to compile).
      "spark.sql.codegen.factoryMode", "NO_CODEGEN");
  /** Compiled query classes kept per JVM (Spark's default is 100). */
  private static final int CODEGEN_CACHE_ENTRIES = 2000;

  private SparkSessions() {}

  public static SparkSession create(FairgroveConfig config) {
    SparkConf conf = new SparkConf(true);
    // Under spark-submit the master is already set and must win; locally it comes from config.
    if (!conf.contains("spark.master")) {
      conf.setMaster(config.spark.master());
    }
    conf.setAppName(config.spark.appName());
    apply(conf, baseSettings(config));
    // Defaults only: what spark-submit was given (--executor-memory, --conf, spark-defaults.conf)
    // is the cluster's own sizing and wins.
    config.spark.conf().forEach(conf::setIfMissing);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** The settings Fairgrove relies on; the test fixture uses the same ones. */
  public static Map<String, String> baseSettings(FairgroveConfig config) {
    return Map.ofEntries(
        Map.entry("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"),
        Map.entry("spark.sql.catalog.spark_catalog",
            "org.apache.spark.sql.delta.catalog.DeltaCatalog"),
        Map.entry(SHUFFLE_PARTITIONS, Integer.toString(config.spark.shufflePartitions())),
        // A snapshot's state is one row per file, far smaller than the data: Delta's 50
        // partitions cost a second per table read on a laptop (half of a small ingest).
        Map.entry(SNAPSHOT_PARTITIONS, Integer.toString(
            Math.min(DELTA_SNAPSHOT_PARTITIONS, config.spark.shufflePartitions()))),
        Map.entry("spark.ui.enabled", Boolean.toString(config.spark.uiEnabled())),
        // Spark keeps 100 compiled query classes; a run plans several hundred distinct queries,
        // so it kept compiling them again (GateTest alone: 17% faster with room for 2,000).
        Map.entry("spark.sql.codegen.cache.maxEntries", Integer.toString(CODEGEN_CACHE_ENTRIES)),
        // Dates and timestamps mean the same on every machine.
        Map.entry("spark.sql.session.timeZone", "UTC"),
        // Lakehouse folders and files are the owner's alone (Hadoop applies the umask).
        Map.entry("spark.hadoop.fs.permissions.umask-mode", "077"),
        // Local files without a readlink or chmod process per call (see NioLocalFileSystem).
        Map.entry("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName()),
        Map.entry("spark.hadoop.fs.AbstractFileSystem.file.impl",
            NioLocalFileSystem.ForFileContext.class.getName()),
        Map.entry("spark.sql.warehouse.dir",
            Locations.child(config.lakehouse.root(), "_warehouse")),
        // Delta's retention check protects concurrent readers; keep it on.
        Map.entry("spark.databricks.delta.retentionDurationCheck.enabled", "true"));
  }

  /**
   * How many tasks the application can run at once now: the executors registered so far times
   * their cores, divided by spark.task.cpus (the count Spark's own barrier-stage check uses).
   */
  public static int taskSlots(SparkSession spark) {
    SparkContext context = spark.sparkContext();
    return context.maxNumConcurrentTasks(
        context.resourceProfileManager().defaultResourceProfile());
  }

  private static void apply(SparkConf conf, Map<String, String> settings) {
    settings.forEach(conf::set);
  }
}
