package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `fairgrove validate --predictions`: a vendor's predictions in a CSV written here by hand (600
 * patients, the figures counted independently below), and each kind of bad input refused with
 * problem, cause and fix before anything is written.
 */
@ExtendWith(SparkTestSession.class)
@Tag("e2e")
class ValidatePredictionsCliTest {
  private static final String HEADER = "patient,outcome,score,gender,race";
  @TempDir Path dir;

  /** Patient i: gender and race from i, a score from i, the outcome from a fixed rule. */
  private static List<String> rows() {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      double score = ((i * 37) % 600 + 0.5) / 600.0;
      // Higher scores have the outcome more often: every patient whose score beats a
      // patient-specific hurdle.
      double hurdle = ((i * 53) % 97) / 97.0;
      int outcome = score * 0.6 > hurdle ? 1 : 0;
      rows.add(String.format(Locale.ROOT, "p%03d,%d,%.6f,%s,%s", i, outcome, score,
          i % 2 == 0 ? "F" : "M", i % 3 == 0 ? "Black" : "White"));
    }
    return rows;
  }

  private Path csv(String name, String header, List<String> rows) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, (header + "\n" + String.join("\n", rows) + "\n").getBytes());
    return file;
  }

  private CliRun validate(Path file, String... extra) {
    return validateWithRisk(file, "score", extra);
  }

  private CliRun validateWithRisk(Path file, String riskColumn, String... extra) {
    List<String> args = new ArrayList<>(List.of("validate", "--task", "t2d-1y",
        "--predictions", file.toString(), "--format", "csv", "--model-name", "RiskPro",
        "--model-version", "2.1", "--developer", "Acme Health AI", "--label-column", "outcome",
        "--risk-column", riskColumn, "--attribute-column", "sex=gender",
        "--set", "lakehouse.root=" + dir.resolve("lakehouse"),
        "--set", "reports.dir=" + dir.resolve("reports"),
        "--set", "governance.attributes=[\"sex\", \"race\"]",
        "--set", "governance.intersections=[]",
        "--set", "governance.bootstrap-replicates=100"));
    args.addAll(Arrays.asList(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void validatesAHandWrittenCsvAndWritesTheSameReport() throws Exception {
    List<String> rows = rows();
    CliRun run = validate(csv("predictions.csv", HEADER, rows), "--key-column", "patient");
    run.assertSucceeded();
    assertThat(run.out()).contains("Validated RiskPro-2.1", "Decision:");

    Path folder = dir.resolve("reports").resolve("t2d-1y").resolve("RiskPro-2.1");
    JsonNode report = new ObjectMapper().readTree(folder.resolve("report.json").toFile());
    assertThat(report.path("model").path("provided").asBoolean()).isTrue();
    assertThat(report.path("model").path("developer").asText()).isEqualTo("Acme Health AI");
    assertThat(report.path("development").isNull()).isTrue();
    JsonNode set = report.path("evaluation_sets").get(0);
    assertThat(set.path("name").asText()).isEqualTo("provided");

    // Counted here, independently of the library.
    double[] score = rows.stream().mapToDouble(r -> Double.parseDouble(r.split(",")[2]))
        .toArray();
    int[] outcome = rows.stream().mapToInt(r -> Integer.parseInt(r.split(",")[1])).toArray();
    int events = Arrays.stream(outcome).sum();
    double concordant = 0;
    for (int i = 0; i < score.length; i++) {
      for (int j = 0; j < score.length; j++) {
        if (outcome[i] == 1 && outcome[j] == 0) {
          concordant += score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0;
        }
      }
    }
    double auroc = concordant / ((double) events * (score.length - events));
    double expected = Arrays.stream(score).sum();
    JsonNode overall = set.path("slices").get(0);
    assertThat(overall.path("attribute").asText()).isEqualTo("overall");
    assertThat(overall.path("n").asLong()).isEqualTo(600);
    assertThat(overall.path("events").asLong()).isEqualTo(events);
    assertThat(overall.path("auroc").asDouble()).isCloseTo(auroc, within(1e-12));
    assertThat(overall.path("oe_ratio").asDouble()).isCloseTo(events / expected, within(1e-12));
    // Top 10% (selection rates are set on the predictions themselves): the 60th highest score.
    double[] sorted = Arrays.stream(score).sorted().toArray();
    JsonNode top10 = report.path("operating_points").get(2);
    assertThat(top10.path("label").asText()).isEqualTo("top 10%");
    assertThat(top10.path("threshold").asDouble()).isEqualTo(sorted[sorted.length - 60]);
    // gender was mapped onto the sex attribute.
    assertThat(set.path("slices")).anySatisfy(s ->
        assertThat(s.path("group").asText()).isEqualTo("F"));

    try (PDDocument pdf = PDDocument.load(folder.resolve("report.pdf").toFile())) {
      assertThat(new PDFTextStripper().getText(pdf)).contains("RiskPro version 2.1 by Acme"
          + " Health AI", "predictions made elsewhere", "Validation of the provided"
          + " predictions");
    }
    assertThat(Files.readString(folder.resolve("model-card.md")))
        .contains("not known to Fairgrove");
  }

  @Test
  void aMissingColumnIsRefusedAndNothingIsWritten() throws Exception {
    CliRun run = validateWithRisk(csv("p.csv", HEADER, rows()), "probability");
    assertRefused(run, "The predictions have no column 'probability' (the risk (0..1)).",
        "--risk-column");
  }

  @Test
  void aRiskOutsideZeroToOneIsRefused() throws Exception {
    List<String> rows = rows();
    rows.set(5, "p005,1,1.5,F,White");
    assertRefused(validate(csv("p.csv", HEADER, rows)),
        "1 rows have a risk in 'score' outside 0..1", "Export probabilities");
  }

  @Test
  void aLabelThatIsNotZeroOrOneIsRefused() throws Exception {
    List<String> rows = rows();
    rows.set(7, "p007,yes,0.4,F,White");
    rows.set(8, "p008,2,0.4,F,White");
    assertRefused(validate(csv("p.csv", HEADER, rows)),
        "2 rows have a label in 'outcome' that is not 0 or 1", "Recode the outcome");
  }

  @Test
  void anEmptyFileIsRefused() throws Exception {
    assertRefused(validate(csv("p.csv", HEADER, List.of())), "hold no rows",
        "--predictions");
  }

  @Test
  void duplicateKeysAreRefused() throws Exception {
    List<String> rows = rows();
    rows.set(9, "p003" + rows.get(9).substring(4));
    assertRefused(validate(csv("p.csv", HEADER, rows), "--key-column", "patient"),
        "1 rows repeat a key in 'patient'", "Remove the duplicate rows");
  }

  private void assertRefused(CliRun run, String problem, String fix) throws IOException {
    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(run.err()).contains("error: ", problem, "why: ", "fix: ", fix)
        .doesNotContain("Exception");
    assertThat(dir.resolve("lakehouse")).doesNotExist();
    assertThat(dir.resolve("reports")).doesNotExist();
  }
}
