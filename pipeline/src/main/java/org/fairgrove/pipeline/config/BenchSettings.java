package org.fairgrove.pipeline.config;

import java.util.List;

/** Keys under {@code bench}: which stages are timed, at which sizes, and where results go. */
public record BenchSettings(List<Long> sizes, List<String> stages, String out, String workDir,
    FlagRates flagRates) {

  /** The flag-rates simulation: how many populations, and the bias injected. */
  public record FlagRates(int replicates, String attribute, String group, double strength) {}

  static BenchSettings read(ConfigReader c) {
    return new BenchSettings(
        c.positiveLongs("bench.sizes"),
        c.strings("bench.stages"),
        Locations.resolve(c.requiredString("bench.out", "the folder for benchmark results")),
        Locations.resolve(c.requiredString("bench.work-dir", "a scratch folder")),
        new FlagRates(c.intIn("bench.flag-rates.replicates", 1, 10_000),
            c.requiredString("bench.flag-rates.attribute", "a slicing attribute"),
            c.requiredString("bench.flag-rates.group", "a group of that attribute"),
            c.doubleIn("bench.flag-rates.strength", 0.0, 1.0)));
  }
}
