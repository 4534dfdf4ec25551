package org.fairgrove.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.SparkSessions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One SparkSession for the whole test JVM (local[2], two shuffle partitions, UI off, Delta on),
 * injected into test constructors and methods: {@code @ExtendWith(SparkTestSession.class)}.
 */
public final class SparkTestSession implements ParameterResolver {
  private static SparkSession session;

  /** The configuration tests start from: the declared defaults sized for a test JVM. */
  public static FairgroveConfig testConfig(Path workDir, String... sets) {
    return testConfig(workDir, List.of(), sets);
  }

  /** @param confs config layers over base.conf, e.g. "tasks/t2d-1y" */
  public static FairgroveConfig testConfig(Path workDir, List<String> confs, String... sets) {
    List<String> all = new java.util.ArrayList<>(List.of(
        "run.environment=development",
        "spark.master=local[2]",
        "spark.shuffle-partitions=2",
        "lakehouse.root=" + workDir.resolve("lakehouse"),
        "reports.dir=" + workDir.resolve("reports"),
        "synth.out=" + workDir.resolve("sources"),
        "bench.out=" + workDir.resolve("bench-results"),
        "bench.work-dir=" + workDir.resolve("bench-work")));
    all.addAll(List.of(sets));
    return FairgroveConfig.load(confs, all);
  }

  public static synchronized SparkSession get() {
    if (session == null) {
      Path dir;
      try {
        dir = Files.createTempDirectory("fairgrove-spark-test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      session = SparkSessions.create(testConfig(dir));
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return get();
  }
}
