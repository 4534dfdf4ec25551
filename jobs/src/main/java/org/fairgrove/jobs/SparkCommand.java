package org.fairgrove.jobs;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.SparkSessions;
import picocli.CommandLine.Mixin;

/** A command that runs in a SparkSession: build the config, start Spark, call the library, stop. */
abstract class SparkCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  /** The command's own options, as --set overrides of declared keys. */
  List<String> overrides() {
    return List.of();
  }

  /** The command's own config layers, applied after the profiles (e.g. a task). */
  List<String> configLayers() {
    return List.of();
  }

  abstract int run(SparkSession spark, FairgroveConfig config) throws Exception;

  @Override
  public Integer call() throws Exception {
    Logging.configure(common.verbose);
    FairgroveConfig config = common.config(configLayers(), overrides());
    // Stop only a session this command started (a caller's session, e.g. in tests, stays up).
    boolean started = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = SparkSessions.create(config);
    try {
      return run(spark, config);
    } finally {
      if (started) {
        spark.stop();
      }
    }
  }

  /** Adds key=value when the option was given. */
  static void addIfSet(List<String> sets, String key, Object value) {
    if (value != null) {
      sets.add(key + "=" + value);
    }
  }
}
