package org.fairgrove.jobs;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Quiet by default: Fairgrove's progress lines and Spark's warnings. Under spark-submit the
 * cluster's own log4j2 configuration is already in force and left alone.
 */
final class Logging {
  static final String CONFIG_PROPERTY = "log4j2.configurationFile";

  private Logging() {}

  /** Must run before anything logs, so it is called first thing in main. */
  static void useFairgroveDefaults() {
    if (System.getProperty(CONFIG_PROPERTY) == null && System.getProperty("spark.master") == null) {
      System.setProperty(CONFIG_PROPERTY, "fairgrove-log4j2.properties");
    }
  }

  static void configure(boolean verbose) {
    if (verbose) {
      Configurator.setRootLevel(Level.INFO);
      Configurator.setLevel("org.fairgrove", Level.DEBUG);
    }
  }
}
