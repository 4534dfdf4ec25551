package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.testing.DeltaFixture;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search the Synthea tests run for identifiers at rest ({@link ValuesAtRest}), on a lakehouse
 * of two tables: one whose first version held identifiers and whose second no longer does, with a
 * checkpoint; one whose first version's data file is gone, as a VACUUM leaves it, so that what it
 * held lives on only in the Delta log's statistics.
 */
@ExtendWith(SparkTestSession.class)
class ValuesAtRestTest {
  @TempDir Path dir;
  private Lakehouse lakehouse;

  @BeforeEach
  void twoTables(SparkSession spark) throws IOException {
    lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    String notes = lakehouse.location(TableId.of("bronze", "notes"));
    DeltaFixture.table(spark, "id STRING, note STRING")
        .row("n1", "seen at 4417 Wilderman Quay, Revere").row("n2", "Quay")
        .row("n3", "Zabriskie")
        .dataset().write().format("delta").save(notes);
    spark.sql("ALTER TABLE delta.`" + notes + "` SET TBLPROPERTIES"
        + " ('delta.checkpointInterval' = '1')");
    DeltaFixture.table(spark, "id STRING, note STRING")
        .row("n1", "redacted").row("n2", "999-31-4159x").row("n3", null)
        .dataset().write().format("delta").mode(SaveMode.Overwrite)
        .option("userMetadata", "reviewed in Marblehead").save(notes);

    String visits = lakehouse.location(TableId.of("silver", "visits"));
    DeltaFixture.table(spark, "id STRING, clinic STRING").row("v1", "Ostrander")
        .dataset().write().format("delta").save(visits);
    Set<String> removed = Stream.of(spark.read().format("delta").load(visits).inputFiles())
        .map(file -> file.substring(file.lastIndexOf('/') + 1)).collect(Collectors.toSet());
    DeltaFixture.table(spark, "id STRING, clinic STRING").row("v1", "withheld")
        .dataset().write().format("delta").mode(SaveMode.Overwrite).save(visits);
    try (Stream<Path> files = Files.list(Path.of(visits))) {
      List<Path> dataFiles = files.filter(f -> f.toString().endsWith(".parquet")).toList();
      assertThat(dataFiles).hasSize(2);
      for (Path file : dataFiles) {
        if (removed.contains(file.getFileName().toString())) {
          Files.delete(file);
        }
      }
    }
    assertThat(Path.of(visits)).isDirectoryNotContaining("glob:**/{"
        + String.join(",", removed) + "}");
  }

  @Test
  void anIdentifierIsFoundInAnyDataFileOrLogFileAsAWholeValueOrInsideOne(SparkSession spark) {
    Dataset<Row> identifiers = spark.createDataset(List.of(
        "Wilderman", // inside a value of notes' version 0
        "Revere", // of the shortest length searched inside, at the end of a value
        "Quay", // shorter than 6: found as a whole value only, which version 0 has
        "seen", // shorter than 6 and never a whole value
        "Zabriskie", // a whole value of version 0
        "999-31-4159", // inside a value of version 1, at its first position
        "Marblehead", // in the commit information of version 1 only
        "Ostrander", // in the statistics of a data file deleted since
        "Philomena"), Encoders.STRING()).toDF("value");

    assertThat(ValuesAtRest.identifiers(spark, lakehouse, identifiers))
        .containsExactlyInAnyOrder("Wilderman", "Revere", "Quay", "Zabriskie",
            "999-31-4159", "Marblehead", "Ostrander");
  }

  @Test
  void aFileTheSearchCannotReadFailsIt(SparkSession spark) throws IOException {
    Files.writeString(dir.resolve("lakehouse").resolve("bronze").resolve("export.csv"),
        "id,name\n1,Zabriskie\n");

    assertThatThrownBy(() -> ValuesAtRest.every(spark, lakehouse))
        .hasMessageContaining("export.csv is at rest in the lakehouse, but is neither");
  }

  @Test
  void aParquetFileInATableFolderThatSparkSkipsFailsIt(SparkSession spark) throws IOException {
    Path notes = Path.of(lakehouse.location(TableId.of("bronze", "notes")));
    Path hidden = Files.createDirectory(notes.resolve("_staging"));
    try (Stream<Path> files = Files.list(notes)) {
      Path data = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.copy(data, hidden.resolve("part-0.parquet"));
    }

    assertThatThrownBy(() -> ValuesAtRest.every(spark, lakehouse))
        .hasMessageContaining("_staging/part-0.parquet is at rest in the lakehouse");
  }
}
