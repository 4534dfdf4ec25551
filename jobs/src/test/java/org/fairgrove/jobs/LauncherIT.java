package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/fairgrove as a newcomer runs it: from another directory, on the packaged job jar, writing
 * only under the working directory.
 */
@Tag("e2e")
class LauncherIT {
  @TempDir Path workDir;

  @Test
  void helpWorksFromAnyDirectory() throws Exception {
    CliRun help = Launcher.fairgrove(workDir, "--help");
    help.assertSucceeded();
    assertThat(help.out()).contains("Usage: fairgrove", "demo", "sql");
  }

  @Test
  void badConfigFailsFastWithExitTwo() throws Exception {
    CliRun result =
        Launcher.fairgrove(workDir, "config", "--set", "spark.shuffle-partitions=lots");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("'spark.shuffle-partitions' has the wrong type",
        "fix: ");
  }

  /**
   * Also the class-data sharing archive (in its own folder here, away from the other tests'
   * runs): a run that fails at its configuration writes one too small to keep, the first Spark
   * command writes it as it exits, and the next run maps its classes from it.
   */
  @Test
  void synthThenSqlWriteOnlyUnderTheWorkingDirectoryAndShareOneClassArchive(
      @TempDir Path classArchive)
      throws Exception {
    Map<String, String> archiveHere = Map.of("FAIRGROVE_CDS", classArchive.toString());
    CliRun failed = Launcher.fairgrove(workDir, archiveHere, "synth", "--set",
        "spark.shuffle-partitions=lots");
    assertThat(failed.exitCode()).isEqualTo(2);
    CliRun synth = Launcher.fairgrove(workDir, archiveHere,
        "synth", "--persons", "300", "--seed", "7");
    synth.assertSucceeded();
    assertThat(synth.err()).contains("also archives the classes it loads");
    assertThat(synth.out()).contains("Synthetic population: 300 persons");
    assertThat(workDir.resolve("sources/synthetic")).isDirectory();
    assertThat(workDir.resolve("lakehouse/truth/person_onset/_delta_log")).isDirectory();
    // Quiet by default: progress lines, not Spark's INFO chatter.
    assertThat(synth.err()).doesNotContain(" INFO  org.apache.spark");

    Path classLoads = classArchive.resolve("class-loads.txt");
    Map<String, String> logClassLoads = new HashMap<>(archiveHere);
    logClassLoads.put("FAIRGROVE_JAVA_OPTS",
        Launcher.JAVA_OPTIONS + " -Xlog:class+load=info:file=" + classLoads);
    CliRun sql = Launcher.fairgrove(workDir, logClassLoads,
        "sql", "--format", "csv", "SELECT count(*) AS persons FROM truth.person_onset");
    sql.assertSucceeded();
    // Nothing of the archive's in the output: it stays a clean CSV.
    assertThat(sql.out()).isEqualTo("persons\n300\n");
    assertThat(sql.err()).doesNotContain("archives the classes");
    try (Stream<Path> files = Files.list(classArchive)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.contains(".jsa")))
          .singleElement().asString().matches("fairgrove-[0-9]+\\.jsa");
    }
    assertThat(Files.readAllLines(classLoads)).anyMatch(line ->
        line.contains(" org.apache.spark.sql.SparkSession source: shared objects file"));
  }
}
