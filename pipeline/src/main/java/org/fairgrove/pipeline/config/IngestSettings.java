package org.fairgrove.pipeline.config;

/**
 * Keys under {@code ingest}: re-runs, quarantine and data quality thresholds, and how many tables
 * are worked on at once.
 */
public record IngestSettings(boolean force, double maxQuarantineShare, int maxDaysAfterDeath,
    double dqWarningShare, int parallelTables) {
  static IngestSettings read(ConfigReader c) {
    return new IngestSettings(
        c.bool("ingest.force"),
        c.doubleIn("ingest.max-quarantine-share", 0.0, 1.0),
        c.intIn("ingest.max-days-after-death", 0, 36_500),
        c.doubleIn("ingest.dq-warning-share", 0.0, 1.0),
        c.intIn("ingest.parallel-tables", 1, 16));
  }
}
