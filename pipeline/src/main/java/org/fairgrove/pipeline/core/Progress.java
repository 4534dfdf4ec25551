package org.fairgrove.pipeline.core;

import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines a person can follow: stage, rows and rate. Only counts and timings are logged,
 * never identifiers or per-person values.
 */
public final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger("org.fairgrove.progress");

  private Progress() {}

  public static void info(String format, Object... args) {
    LOG.info(String.format(Locale.ROOT, format, args));
  }

  /**
   * Starts timing a stage; {@link Stage#done(long)} logs rows and rate. Until then the stage
   * names the Spark jobs it runs (the UI's and the event log's job description).
   */
  public static Stage start(String stage) {
    LOG.info(stage + " ...");
    describeJobs(stage);
    return new Stage(stage, System.nanoTime());
  }

  private static void describeJobs(String description) {
    SparkSession.getActiveSession().foreach(spark -> {
      spark.sparkContext().setJobDescription(description);
      return null;
    });
  }

  /** A running stage. */
  public static final class Stage {
    private final String name;
    private final long startNanos;

    private Stage(String name, long startNanos) {
      this.name = name;
      this.startNanos = startNanos;
    }

    public double elapsedSeconds() {
      return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Logs completion where the rows are counted later; returns the elapsed seconds. */
    public double done() {
      describeJobs(null);
      double seconds = elapsedSeconds();
      LOG.info(String.format(Locale.ROOT, "%s done in %.1f s", name, seconds));
      return seconds;
    }

    /** Logs completion with the rows processed; returns the elapsed seconds. */
    public double done(long rows) {
      describeJobs(null);
      double seconds = elapsedSeconds();
      LOG.info(String.format(Locale.ROOT, "%s done: %s rows in %.1f s (%s rows/s)", name,
          count(rows), seconds, count(Math.round(rows / Math.max(seconds, 1e-9)))));
      return seconds;
    }
  }

  /** 1234567 as "1,234,567". */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** "1 site", "3 sites": a count and its noun (plural with an s). */
  public static String count(long n, String noun) {
    return count(n) + " " + noun + (n == 1 ? "" : "s");
  }
}
