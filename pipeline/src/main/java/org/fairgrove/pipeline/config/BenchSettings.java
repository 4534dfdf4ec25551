package org.fairgrove.pipeline.config;

import java.util.List;

/** Keys under {@code bench}: which stages are timed, at which sizes, and where results go. */
public record BenchSettings(List<Long> sizes, List<String> stages, String out, String workDir) {
  static BenchSettings read(ConfigReader c) {
    return new BenchSettings(
        c.positiveLongs("bench.sizes"),
        c.strings("bench.stages"),
        Locations.resolve(c.requiredString("bench.out", "the folder for benchmark results")),
        Locations.resolve(c.requiredString("bench.work-dir", "a scratch folder")));
  }
}
