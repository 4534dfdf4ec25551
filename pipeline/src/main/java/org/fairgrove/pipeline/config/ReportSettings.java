package org.fairgrove.pipeline.config;

/** Keys under {@code reports}: where validation reports and model cards are written. */
public record ReportSettings(String dir) {
  static ReportSettings read(ConfigReader c) {
    return new ReportSettings(
        Locations.resolve(c.requiredString("reports.dir", "the folder for reports")));
  }
}
