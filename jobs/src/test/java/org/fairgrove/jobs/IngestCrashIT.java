package org.fairgrove.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.testing.SameRows;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A killed ingest, run again, leaves exactly the tables an uninterrupted run leaves: the process
 * is killed (SIGKILL) while it merges into silver, then re-run, and every bronze, silver and ops
 * table is compared with a clean run's (times of landing and the log's per-run merge counts
 * aside).
 */
@Tag("e2e")
@ExtendWith(SparkTestSession.class)
class IngestCrashIT {
  @TempDir Path crashed;
  @TempDir Path clean;

  private static void runToEnd(Path workDir, String... args) throws Exception {
    Launcher.fairgrove(workDir, args).assertSucceeded();
  }

  @Test
  void aKilledIngestRunAgainEqualsAnUninterruptedOne(SparkSession spark) throws Exception {
    runToEnd(crashed, "synth", "--persons", "300", "--seed", "7", "--sites", "1");
    String sources = crashed.resolve("sources/synthetic/S1").toString();
    String[] ingest = {"ingest", "--source-format", "omop-csv", "--path", sources, "--site", "S1"};

    Process doomed = Launcher.startFairgrove(crashed, ingest);
    try {
      Launcher.awaitErr(crashed, doomed, "ingest merge visit_occurrence ...");
    } finally {
      doomed.destroyForcibly().waitFor();
    }
    runToEnd(crashed, ingest);
    runToEnd(clean, ingest);

    Lakehouse afterCrash = new Lakehouse(spark, crashed.resolve("lakehouse").toString());
    Lakehouse uninterrupted = new Lakehouse(spark, clean.resolve("lakehouse").toString());
    List<TableId> tables = uninterrupted.tables();
    assertThat(afterCrash.tables().stream().filter(t -> !t.schema().equals("truth")))
        .containsExactlyElementsOf(tables);
    assertThat(tables).contains(TableId.of("silver", "measurement"),
        TableId.of("ops", "ingest_log"));
    assertThat(uninterrupted.read(TableId.of("silver", "visit_occurrence")).count())
        .isPositive();
    for (TableId table : tables) {
      // What differs by design: landing times, and what each run's merge itself changed.
      String[] perRun = {"ingested_at", "rows_inserted", "rows_updated"};
      // The same rows, duplicates included.
      SameRows.assertSame(table.toString(), afterCrash.read(table).drop(perRun),
          uninterrupted.read(table).drop(perRun));
    }
  }
}
