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
 * libraries never meet Spark's: one population exported both as CSV and as FHIR R4 Bulk Data
 * NDJSON.
 */
public final class SyntheaRunner {
  /** The two exports of one Synthea run: its csv and its fhir folder. */
  public record Export(Path csv, Path fhir) {}

  /** The population the ingest tests share: 40 living adults of Massachusetts. */
  private static Export shared;

  private SyntheaRunner() {}

  /**
   * The shared population, generated on first use into a temporary folder that is deleted when
   * the JVM exits (Synthea's output is large: FHIR bundles every claim).
   */
  public static synchronized Export shared() {
    if (shared == null) {
      shared = generate(TempFolders.deletedAtExit("fairgrove-synthea"), 40, 20261124L, "35-75",
          "20250101");
    }
    return shared;
  }

  /**
   * @param persons living persons to generate (Synthea adds the deceased it meets on the way)
   * @param seed Synthea's population and clinician seed
   * @param ages e.g. "35-75"
   * @param date reference and end date, yyyyMMdd: the same date gives the same records
   */
  public static Export generate(Path dir, int persons, long seed, String ages, String date) {
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
        "--exporter.csv.export=true", "--exporter.fhir.export=true",
        "--exporter.fhir.bulk_data=true",
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
    return new Export(dir.resolve("csv"), dir.resolve("fhir"));
  }
}
