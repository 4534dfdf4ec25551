package org.fairgrove.pipeline.config;

/**
 * Keys under {@code nightly}: where new batches wait and what format they are in.
 *
 * @param landing folder of waiting batches: LANDING/&lt;batch&gt;/&lt;site&gt;/ (one folder per
 *     batch, in it one folder per contributing site)
 * @param sourceFormat the --source-format of every waiting batch
 */
public record NightlySettings(String landing, String sourceFormat) {
  static NightlySettings read(ConfigReader c) {
    return new NightlySettings(
        Locations.resolve(c.requiredString("nightly.landing", "the landing folder")),
        c.requiredString("nightly.source-format", "the format of the landed batches"));
  }
}
