package org.fairgrove.pipeline.config;

import java.time.LocalDate;

/**
 * Keys under {@code deid}: where the pseudonymisation key comes from and the Safe Harbor style
 * coarsening. The key itself is resolved by the ingest stage, which knows the environment.
 */
public record DeidSettings(String keyEnv, String devKey, LocalDate ageReferenceDate, int maxAge,
    int dateShiftMaxDays) {
  static DeidSettings read(ConfigReader c) {
    String devKey = c.optionalString("deid.dev-key");
    return new DeidSettings(
        c.requiredString("deid.key-env", "an environment variable"),
        devKey == null || devKey.isEmpty() ? null : devKey,
        c.date("deid.age-reference-date"),
        c.intIn("deid.max-age", 1, 150),
        c.intIn("deid.date-shift-max-days", 0, 3650));
  }
}
