package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.fairgrove.pipeline.testing.SparkTestSession;

/**
 * A CLI run: its exit code and what it printed, in-process ({@link #of}) or as a process
 * ({@link Launcher}).
 */
record CliRun(int exitCode, String out, String err) {
  /** Fails unless the run exited 0, showing what it wrote to standard error. */
  CliRun assertSucceeded() {
    assertThat(exitCode).as(err).isZero();
    return this;
  }

  static synchronized CliRun of(String... args) {
    // The CLI's session is the test JVM's (getOrCreate): made here if no test asked for it yet,
    // so that it has the test settings.
    SparkTestSession.get();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = FairgroveCli.execute(args);
      return new CliRun(code, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
