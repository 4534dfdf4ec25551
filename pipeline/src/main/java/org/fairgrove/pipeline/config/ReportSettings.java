package org.fairgrove.pipeline.config;

/**
 * Keys under {@code reports}: where validation reports and model cards are written, and the
 * small-cell threshold every published count obeys.
 */
public record ReportSettings(String dir, int smallCellThreshold) {
  static ReportSettings read(ConfigReader c) {
    return new ReportSettings(
        Locations.resolve(c.requiredString("reports.dir", "the folder for reports")),
        c.intIn("reports.small-cell-threshold", 1, 1000));
  }
}
