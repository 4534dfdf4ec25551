package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.nightly.NightlyRun;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `fairgrove nightly` as a scheduler runs it (bin/fairgrove, its own JVM): a run killed
 * (SIGKILL) while it builds features, resumed with --resume, ends with the tables, model and
 * gate decision of an uninterrupted run, after taking over the lock the killed process left; a
 * live lock holder makes a second run exit at once with code 5; a run with no new batch exits 4.
 */
@Tag("e2e")
@ExtendWith(SparkTestSession.class)
class NightlyIT {
  private static final Path LAUNCHER =
      Path.of(System.getProperty("fairgrove.repo.root", "."), "bin", "fairgrove").toAbsolutePath();
  private static final String[] NIGHTLY = {"nightly", "--task", "t2d-1y"};

  @TempDir Path crashed;
  @TempDir Path clean;

  private Process start(Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(workDir.resolve(".out").toFile())
        .redirectError(workDir.resolve(".err").toFile());
    builder.environment().put("FAIRGROVE_JAVA_OPTS", "-Xmx2g");
    return builder.start();
  }

  /** Runs to the end and returns the exit code. */
  private int run(Path workDir, String... args) throws Exception {
    Process process = start(workDir, args);
    try {
      assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("finished in time").isTrue();
    } finally {
      process.destroyForcibly();
    }
    return process.exitValue();
  }

  private static String read(Path workDir, String stream) throws IOException {
    return Files.readString(workDir.resolve(stream), StandardCharsets.UTF_8);
  }

  @Test
  void aKilledRunResumedEqualsAnUninterruptedOneAndTheExitCodesSayWhatHappened(
      SparkSession spark) throws Exception {
    assertThat(run(crashed, "synth", "--persons", "3000", "--sites", "1", "--seed", "7",
        "--set", "synth.out=landing/b1", "--set", "lakehouse.root=truth")).isZero();
    copy(crashed.resolve("landing"), clean.resolve("landing"));

    Process doomed = start(crashed, NIGHTLY);
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (!read(crashed, ".err").contains("features t2d-1y ...") && doomed.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(doomed.isAlive()).as("running when killed: " + read(crashed, ".err")).isTrue();
    } finally {
      doomed.destroyForcibly().waitFor();
    }
    Path lock = crashed.resolve("lakehouse/_locks/nightly-t2d-1y.lock");
    assertThat(lock).as("the killed run's lock is left behind").exists();

    int resumed = run(crashed, "nightly", "--task", "t2d-1y", "--resume");
    String resumedOut = read(crashed, ".out");
    assertThat(resumed).as(resumedOut + read(crashed, ".err")).isIn(0, 3);
    assertThat(read(crashed, ".err")).contains("taking over the lock left by a process that is"
        + " gone");
    assertThat(resumedOut).contains("Resuming run t2d-1y-", "cohort    done earlier in this run");
    assertThat(lock).doesNotExist();

    int uninterrupted = run(clean, NIGHTLY);
    assertThat(uninterrupted).as(read(clean, ".out") + read(clean, ".err")).isEqualTo(resumed);
    SameOutcome.assertSameOutcome(new Lakehouse(spark, crashed.resolve("lakehouse").toString()),
        new Lakehouse(spark, clean.resolve("lakehouse").toString()));
    // The model's report has the gate's section, resumed or not.
    assertThat(Reports.gateDecision(crashed.resolve("reports"))).isNotNull()
        .isEqualTo(Reports.gateDecision(clean.resolve("reports")));

    Files.createDirectories(lock.getParent());
    Files.writeString(lock, InetAddress.getLocalHost().getHostName() + " "
        + ProcessHandle.current().pid() + " t2d-1y-held 2026-11-30T00:00:00Z");
    assertThat(run(crashed, NIGHTLY)).isEqualTo(NightlyRun.Outcome.LOCK_HELD.exitCode());
    assertThat(read(crashed, ".out")).contains("holds the lock (run t2d-1y-held, process "
        + ProcessHandle.current().pid());
    Files.delete(lock);

    assertThat(run(clean, NIGHTLY)).isEqualTo(NightlyRun.Outcome.NOTHING_NEW.exitCode());
    assertThat(read(clean, ".out")).contains("already ingested", "nothing_new: No new batch");
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
