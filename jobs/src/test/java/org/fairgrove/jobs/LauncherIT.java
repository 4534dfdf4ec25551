package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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

  @Test
  void synthThenSqlWritesOnlyUnderTheWorkingDirectory() throws Exception {
    CliRun synth = Launcher.fairgrove(workDir, "synth", "--persons", "300", "--seed", "7");
    synth.assertSucceeded();
    assertThat(synth.out()).contains("Synthetic population: 300 persons");
    assertThat(workDir.resolve("sources/synthetic")).isDirectory();
    assertThat(workDir.resolve("lakehouse/truth/person_onset/_delta_log")).isDirectory();
    // Quiet by default: progress lines, not Spark's INFO chatter.
    assertThat(synth.err()).doesNotContain(" INFO  org.apache.spark");

    CliRun sql = Launcher.fairgrove(workDir, "sql", "--format", "csv",
        "SELECT count(*) AS persons FROM truth.person_onset");
    sql.assertSucceeded();
    assertThat(sql.out()).isEqualTo("persons\n300\n");
  }
}
