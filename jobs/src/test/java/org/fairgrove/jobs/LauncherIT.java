package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/fairgrove as a newcomer runs it: from another directory, on the packaged job jar, writing
 * only under the working directory.
 */
@Tag("e2e")
class LauncherIT {
  private static final Path LAUNCHER =
      Path.of(System.getProperty("fairgrove.repo.root", "."), "bin", "fairgrove").toAbsolutePath();

  @TempDir Path workDir;

  record Result(int exitCode, String out, String err) {}

  private Result fairgrove(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    Path out = workDir.resolve(".out");
    Path err = workDir.resolve(".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("FAIRGROVE_JAVA_OPTS", "-Xmx2g");
    Process process = builder.start();
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("finished in time").isTrue();
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void helpWorksFromAnyDirectory() throws Exception {
    Result help = fairgrove("--help");
    assertThat(help.exitCode()).as(help.err()).isZero();
    assertThat(help.out()).contains("Usage: fairgrove", "demo", "sql");
  }

  @Test
  void badConfigFailsFastWithExitTwo() throws Exception {
    Result result = fairgrove("config", "--set", "spark.shuffle-partitions=lots");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("'spark.shuffle-partitions' has the wrong type",
        "fix: ");
  }

  @Test
  void synthThenSqlWritesOnlyUnderTheWorkingDirectory() throws Exception {
    Result synth = fairgrove("synth", "--persons", "300", "--seed", "7");
    assertThat(synth.exitCode()).as(synth.err()).isZero();
    assertThat(synth.out()).contains("Synthetic population: 300 persons");
    assertThat(workDir.resolve("sources/synthetic")).isDirectory();
    assertThat(workDir.resolve("lakehouse/truth/person_onset/_delta_log")).isDirectory();
    // Quiet by default: progress lines, not Spark's INFO chatter.
    assertThat(synth.err()).doesNotContain(" INFO  org.apache.spark");

    Result sql = fairgrove("sql", "--format", "csv",
        "SELECT count(*) AS persons FROM truth.person_onset");
    assertThat(sql.exitCode()).as(sql.err()).isZero();
    assertThat(sql.out()).isEqualTo("persons\n300\n");
  }
}
