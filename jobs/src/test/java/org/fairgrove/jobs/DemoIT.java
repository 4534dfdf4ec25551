package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end on a small population (every stage, in-process), then every cell of every
 * exported notebook against the lakehouse it wrote.
 */
@Tag("e2e")
@ExtendWith(SparkTestSession.class)
class DemoIT {
  private static final Path NOTEBOOKS =
      Path.of(System.getProperty("fairgrove.repo.root", ".."), "notebooks-exported");

  @TempDir Path dir;

  @Test
  void demoRunsEveryStageAndTheNotebooksRunOnWhatItWrote(SparkSession spark) throws IOException {
    CliRun demo = CliRun.of("demo", "--conf", "local", "--persons", "4000",
        "--set", "synth.out=" + dir.resolve("sources"),
        "--set", "lakehouse.root=" + dir.resolve("lakehouse"),
        "--set", "reports.dir=" + dir.resolve("reports"));
    demo.assertSucceeded();
    assertThat(demo.out()).contains("synth", "ingest", "cohort", "features", "train",
        "validate", "gate", "score", "monitor");

    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    lakehouse.registerAll();
    // At 4,000 persons the external site's 65-74 group is flagged (O/E about 3), so the gate
    // promotes nothing; the committee overrides it, as a user would, and scores.
    String model = spark.sql("SELECT model_id FROM registry.models").first().getString(0);
    assertThat(demo.out()).contains("gate        NOT PROMOTED " + model,
        "external:S3 age_band=65-74: absolute_policy oe_ratio",
        "score       skipped: the task has no champion to score with");
    String[] where = {"--conf", "local", "--set", "lakehouse.root=" + dir.resolve("lakehouse"),
        "--set", "reports.dir=" + dir.resolve("reports")};
    CliRun refused = CliRun.of(with(new String[] {"promote", model}, where));
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCodes.GATE_REFUSED);
    assertThat(refused.out()).startsWith("NOT PROMOTED " + model);
    CliRun overridden = CliRun.of(with(new String[] {"promote", model, "--override", "--reason",
        "small demo population; accepted for the walkthrough"}, where));
    overridden.assertSucceeded();
    assertThat(overridden.out()).startsWith("OVERRIDE " + model);
    assertThat(Reports.gateDecision(dir.resolve("reports"))).isEqualTo("override");
    assertThat(spark.sql("SELECT override_reason FROM ops.promotion_decisions WHERE decision ="
        + " 'override'").first().getString(0)).startsWith("small demo population");
    // The model named, as a data scientist scores any registered model (the champion by now);
    // the score stage of the demo and of nightly takes the champion by default.
    CliRun scored = CliRun.of(with(new String[] {"score", "--task", "t2d-1y", "--as-of",
        "2023-12-31", "--model-id", model, "--fhir-out", dir.resolve("fhir").toString()}, where));
    scored.assertSucceeded();
    assertThat(scored.out()).contains("persons as of 2023-12-31 with " + model,
        "skipped, failing", "FHIR RiskAssessments:");
    assertThat(Files.readString(dir.resolve("fhir").resolve("manifest.json")))
        .contains("\"type\" : \"RiskAssessment\"");
    assertThat(Files.readAllLines(dir.resolve("fhir").resolve("RiskAssessment.1.ndjson")).get(0))
        .startsWith("{\"resourceType\":\"RiskAssessment\"").contains("\"2023-12-31\"");
    lakehouse.registerAll();
    // A boosted model fits its own training rows well; features XGBoost misread (absent sparse
    // entries taken as missing in training but zero in scoring) gave 0.61 here.
    double trainAuroc = spark.sql("SELECT CAST(get_json_object(metrics, '$.auroc.train') AS"
        + " DOUBLE) FROM registry.models").first().getDouble(0);
    assertThat(trainAuroc).isGreaterThan(0.75);
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(NOTEBOOKS)) {
      notebooks = files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
    assertThat(notebooks).isNotEmpty();
    for (Path notebook : notebooks) {
      for (String cell : sqlCells(Files.readString(notebook))) {
        assertThat(spark.sql(cell).count()).as(notebook.getFileName() + ":\n" + cell)
            .isPositive();
      }
    }
  }

  private static String[] with(String[] command, String[] options) {
    return Stream.concat(Arrays.stream(command), Arrays.stream(options)).toArray(String[]::new);
  }

  /** The SQL cells of a notebook in Databricks source format (Markdown cells dropped). */
  static List<String> sqlCells(String notebook) {
    List<String> cells = new ArrayList<>();
    for (String cell : notebook.split("-- COMMAND ----------")) {
      String sql = Arrays.stream(cell.split("\n"))
          .filter(line -> !line.strip().startsWith("--"))
          .collect(Collectors.joining("\n")).strip();
      if (!sql.isEmpty()) {
        cells.add(sql);
      }
    }
    return cells;
  }
}
