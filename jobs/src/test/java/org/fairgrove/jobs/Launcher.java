package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fairgrove.pipeline.testing.SparkTestSession;

/**
 * Commands run as a user runs them, each in its own process: a script of the repository
 * (bin/fairgrove unless said otherwise) started in a working folder with a 2 GiB heap and
 * Spark's interpreted expressions ({@link SparkTestSession#INTERPRETED}) unless the caller's
 * environment says otherwise, its output kept in .out and .err there. A run that is not over in
 * twenty minutes fails its test and is killed either way; a process started to be killed mid-run
 * is its caller's to stop.
 */
final class Launcher {
  static final Path REPO =
      Path.of(System.getProperty("fairgrove.repo.root", ".")).toAbsolutePath();
  static final String FAIRGROVE = REPO.resolve("bin/fairgrove").toString();
  /**
   * Long enough for the slowest run here, ClusterIT's demo through spark-submit, even beside
   * another end-to-end test on two cores (-Dtest.forkCount=2: over ten minutes in a CI run of
   * 2026-12-01), short enough that a hung run still fails well inside CI's 90 minutes.
   */
  private static final long LIMIT_MINUTES = 20;
  /** The processes' heap; alone in FAIRGROVE_JAVA_OPTS, Spark compiles as in users' runs. */
  static final String HEAP = "-Xmx2g";
  /** FAIRGROVE_JAVA_OPTS of every run here, unless the run sets its own. */
  static final String JAVA_OPTIONS = HEAP + " " + SparkTestSession.interpretedJavaOptions();

  private Launcher() {}

  /** Starts bin/fairgrove with the arguments; the caller stops it. */
  static Process startFairgrove(Path workDir, String... args) throws IOException {
    return start(workDir, Map.of(), withFairgrove(args));
  }

  /** Runs bin/fairgrove with the arguments to the end. */
  static CliRun fairgrove(Path workDir, String... args) throws Exception {
    return fairgrove(workDir, Map.of(), args);
  }

  /** Runs bin/fairgrove with these environment variables added and the arguments, to the end. */
  static CliRun fairgrove(Path workDir, Map<String, String> environment, String... args)
      throws Exception {
    return run(workDir, environment, withFairgrove(args));
  }

  /** Runs the command line, with these environment variables added, to the end. */
  static CliRun run(Path workDir, Map<String, String> environment, List<String> command)
      throws Exception {
    Process process = start(workDir, environment, command);
    try {
      assertThat(process.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES))
          .as(String.join(" ", command) + " finished in time").isTrue();
    } finally {
      process.destroyForcibly();
    }
    return new CliRun(process.exitValue(), read(workDir, ".out"), read(workDir, ".err"));
  }

  /**
   * Waits until the process has written the text to its standard error, and fails if it ended
   * first or the limit passed: the moment a crash test kills it.
   */
  static void awaitErr(Path workDir, Process process, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(LIMIT_MINUTES);
    while (!read(workDir, ".err").contains(text) && process.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(process.isAlive()).as("running when killed: " + read(workDir, ".err")).isTrue();
  }

  /** What the last process in the folder wrote to the stream (.out or .err); empty if none. */
  static String read(Path workDir, String stream) throws IOException {
    Path file = workDir.resolve(stream);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  private static Process start(Path workDir, Map<String, String> environment,
      List<String> command) throws IOException {
    Files.createDirectories(workDir);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(workDir.resolve(".out").toFile())
        .redirectError(workDir.resolve(".err").toFile());
    builder.environment().put("FAIRGROVE_JAVA_OPTS", JAVA_OPTIONS);
    builder.environment().putAll(environment);
    return builder.start();
  }

  private static List<String> withFairgrove(String... args) {
    List<String> command = new ArrayList<>(List.of(FAIRGROVE));
    command.addAll(List.of(args));
    return command;
  }
}
