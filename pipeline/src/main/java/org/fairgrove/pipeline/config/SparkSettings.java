package org.fairgrove.pipeline.config;

import java.util.Map;

/** Keys under {@code spark}: how the SparkSession is built when the job starts it. */
public record SparkSettings(
    String master, String appName, int shufflePartitions, boolean uiEnabled,
    Map<String, String> conf) {

  static SparkSettings read(ConfigReader c) {
    return new SparkSettings(
        c.requiredString("spark.master", "a Spark master such as local[*]"),
        c.requiredString("spark.app-name", "the Spark application name"),
        c.intIn("spark.shuffle-partitions", 1, 100_000),
        c.bool("spark.ui-enabled"),
        Map.copyOf(c.flatMap("spark.conf")));
  }
}
