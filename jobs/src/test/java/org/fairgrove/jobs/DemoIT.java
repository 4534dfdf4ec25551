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
    assertThat(demo.exitCode()).as(demo.err()).isZero();
    assertThat(demo.out()).contains("synth", "ingest", "cohort", "features", "train",
        "validate", "gate", "score",
        "gold.predictions");

    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
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
