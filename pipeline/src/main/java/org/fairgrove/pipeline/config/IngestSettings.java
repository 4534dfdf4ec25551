package org.fairgrove.pipeline.config;

/** Keys under {@code ingest}: re-runs, quarantine and data quality thresholds. */
public record IngestSettings(boolean force, double maxQuarantineShare, int maxDaysAfterDeath,
    double dqWarningShare) {
  static IngestSettings read(ConfigReader c) {
    return new IngestSettings(
        c.bool("ingest.force"),
        c.doubleIn("ingest.max-quarantine-share", 0.0, 1.0),
        c.intIn("ingest.max-days-after-death", 0, 36_500),
        c.doubleIn("ingest.dq-warning-share", 0.0, 1.0));
  }
}
