package org.fairgrove.pipeline.lakehouse;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.Locations;

/** Builds the SparkSession every job runs in: Delta enabled, UTC, deterministic settings. */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession create(FairgroveConfig config) {
    SparkConf conf = new SparkConf(true);
    // Under spark-submit the master is already set and must win; locally it comes from config.
    if (!conf.contains("spark.master")) {
      conf.setMaster(config.spark.master());
    }
    conf.setAppName(config.spark.appName());
    apply(conf, baseSettings(config));
    config.spark.conf().forEach(conf::set);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** The settings Fairgrove relies on; the test fixture uses the same ones. */
  public static Map<String, String> baseSettings(FairgroveConfig config) {
    return Map.of(
        "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions", Integer.toString(config.spark.shufflePartitions()),
        "spark.ui.enabled", Boolean.toString(config.spark.uiEnabled()),
        // Dates and timestamps mean the same on every machine.
        "spark.sql.session.timeZone", "UTC",
        "spark.sql.warehouse.dir", Locations.child(config.lakehouse.root(), "_warehouse"),
        // Delta's retention check protects concurrent readers; keep it on.
        "spark.databricks.delta.retentionDurationCheck.enabled", "true");
  }

  private static void apply(SparkConf conf, Map<String, String> settings) {
    settings.forEach(conf::set);
  }
}
