package org.fairgrove.pipeline.config;

import java.util.Set;

/** Keys under {@code run}: where the pipeline runs and the master seed. */
public record RunSettings(String environment, long seed) {
  public static final String DEVELOPMENT = "development";
  public static final String PRODUCTION = "production";

  static RunSettings read(ConfigReader c) {
    return new RunSettings(c.oneOf("run.environment", Set.of(DEVELOPMENT, PRODUCTION)),
        c.longAtLeast("run.seed", 0));
  }

  public boolean production() {
    return PRODUCTION.equals(environment);
  }
}
