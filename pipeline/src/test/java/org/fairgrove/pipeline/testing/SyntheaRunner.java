package org.fairgrove.pipeline.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs real Synthea (org.mitre.synthea:synthea, a test dependency) in a child JVM, so its
 * libraries never meet Spark's, and returns the folder of its CSV export.
 */
public final class SyntheaRunner {
  private SyntheaRunner() {}

  /**
   * @param persons living persons to generate (Synthea adds the deceased it meets on the way)
   * @param seed Synthea's population and clinician seed
   * @param ages e.g. "35-75"
   * @param date reference and end date, yyyyMMdd: the same date gives the same records
   */
  public static Path generate(Path dir, int persons, long seed, String ages, String date) {
    Path log = dir.resolve("synthea.log");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        "App", "-s", Long.toString(seed), "-cs", Long.toString(seed), "-p",
        Integer.toString(persons), "-a", ages, "-r", date, "-e", date,
        "--exporter.baseDirectory=" + dir.toAbsolutePath() + File.separator,
        "--exporter.csv.export=true", "--exporter.fhir.export=false",
        "--exporter.hospital.fhir.export=false", "--exporter.practitioner.fhir.export=false",
        "--generate.log_patients.detail=none", "Massachusetts");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("Synthea did not finish in 10 minutes; see " + log);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("Synthea exited with " + process.exitValue() + ": "
            + Files.readString(log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while Synthea ran", e);
    }
    return dir.resolve("csv");
  }
}
