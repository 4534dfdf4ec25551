package org.fairgrove.pipeline.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
  /**
   * {@link SparkSessions#INTERPRETED} for the test JVMs and the processes end-to-end tests start:
   * at test sizes compiling a query costs more than running it. Side by side, two rounds each: a
   * 300-person ingest took 13% less CPU, three test classes 10 to 21% less. The results are the
   * same; ClusterIT keeps Spark's defaults, so one end-to-end run compiles its queries as users'
   * runs do.
   */
  public static final Map<String, String> INTERPRETED = SparkSessions.INTERPRETED;
  private static SparkSession session;

  /** {@link #INTERPRETED} as JVM options, for a process that builds its own session. */
  public static String interpretedJavaOptions() {
    return INTERPRETED.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
        .sorted().collect(Collectors.joining(" "));
  }

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
      session = SparkSessions.create(testConfig(TempFolders.deletedAtExit("fairgrove-spark-test")));
      INTERPRETED.forEach(session.conf()::set);
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
