package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
  // What is under test is the resume, the lock and the exit codes, not the model: one search
  // trial of three and 200 bootstrap replicates of 1,000 keep the two runs that train (resumed
  // and uninterrupted) short.
  private static final String[] NIGHTLY = {"nightly", "--task", "t2d-1y",
      "--set", "task.train.search.trials=1", "--set", "governance.bootstrap-replicates=200"};

  @TempDir Path crashed;
  @TempDir Path clean;

  @Test
  void aKilledRunResumedEqualsAnUninterruptedOneAndTheExitCodesSayWhatHappened(
      SparkSession spark) throws Exception {
    CliRun synth = Launcher.fairgrove(crashed, "synth", "--persons", "3000", "--sites", "1",
        "--seed", "7", "--set", "synth.out=landing/b1", "--set", "lakehouse.root=truth");
    synth.assertSucceeded();
    copy(crashed.resolve("landing"), clean.resolve("landing"));

    Process doomed = Launcher.startFairgrove(crashed, NIGHTLY);
    try {
      Launcher.awaitErr(crashed, doomed, "features t2d-1y ...");
    } finally {
      doomed.destroyForcibly().waitFor();
    }
    Path lock = crashed.resolve("lakehouse/_locks/nightly-t2d-1y.lock");
    assertThat(lock).as("the killed run's lock is left behind").exists();

    CliRun resumed = Launcher.fairgrove(crashed, Stream.concat(Arrays.stream(NIGHTLY),
        Stream.of("--resume")).toArray(String[]::new));
    assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isIn(0, 3);
    assertThat(resumed.err()).contains("taking over the lock left by a process that is gone");
    assertThat(resumed.out()).contains("Resuming run t2d-1y-",
        "cohort    done earlier in this run");
    assertThat(lock).doesNotExist();

    CliRun uninterrupted = Launcher.fairgrove(clean, NIGHTLY);
    assertThat(uninterrupted.exitCode()).as(uninterrupted.out() + uninterrupted.err())
        .isEqualTo(resumed.exitCode());
    SameOutcome.assertSameOutcome(new Lakehouse(spark, crashed.resolve("lakehouse").toString()),
        new Lakehouse(spark, clean.resolve("lakehouse").toString()));
    // The model's report has the gate's section, resumed or not.
    assertThat(Reports.gateDecision(crashed.resolve("reports"))).isNotNull()
        .isEqualTo(Reports.gateDecision(clean.resolve("reports")));

    Files.createDirectories(lock.getParent());
    Files.writeString(lock, InetAddress.getLocalHost().getHostName() + " "
        + ProcessHandle.current().pid() + " t2d-1y-held 2026-11-30T00:00:00Z");
    CliRun blocked = Launcher.fairgrove(crashed, NIGHTLY);
    assertThat(blocked.exitCode()).isEqualTo(NightlyRun.Outcome.LOCK_HELD.exitCode());
    assertThat(blocked.out()).contains("holds the lock (run t2d-1y-held, process "
        + ProcessHandle.current().pid());
    Files.delete(lock);

    CliRun again = Launcher.fairgrove(clean, NIGHTLY);
    assertThat(again.exitCode()).isEqualTo(NightlyRun.Outcome.NOTHING_NEW.exitCode());
    assertThat(again.out()).contains("already ingested", "nothing_new: No new batch");
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
