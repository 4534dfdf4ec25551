package org.fairgrove.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What the reports a command wrote under a reports folder say. */
final class Reports {
  private Reports() {}

  /** The gate's decision in the one model report under the folder, null when it has none. */
  static String gateDecision(Path reportsDir) throws IOException {
    try (Stream<Path> files = Files.walk(reportsDir)) {
      Path report = files.filter(p -> p.endsWith("report.json")).findFirst().orElseThrow();
      return new ObjectMapper().readTree(report.toFile()).path("gate").path("decision")
          .asText(null);
    }
  }
}
