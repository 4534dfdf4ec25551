package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.testing.DeltaFixture;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search the Synthea tests run for identifiers at rest ({@link
 * SyntheaLakehouses#identifiersAtRest}), on a table whose first version held identifiers and
 * whose second no longer does.
 */
@ExtendWith(SparkTestSession.class)
class IdentifiersAtRestTest {
  @TempDir Path dir;

  @Test
  void anIdentifierIsFoundAsAWholeValueOrInsideOneAtAnyVersion(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    String notes = lakehouse.location(TableId.of("bronze", "notes"));
    DeltaFixture.table(spark, "id STRING, note STRING")
        .row("n1", "seen at 4417 Wilderman Quay, Revere").row("n2", "Quay")
        .row("n3", "Zabriskie")
        .dataset().write().format("delta").save(notes);
    DeltaFixture.table(spark, "id STRING, note STRING")
        .row("n1", "redacted").row("n2", "999-31-4159x").row("n3", null)
        .dataset().write().format("delta").mode(SaveMode.Overwrite).save(notes);
    Dataset<Row> identifiers = spark.createDataset(List.of(
        "Wilderman", // inside a value of version 0
        "Revere", // of the shortest length searched inside, at the end of a value
        "Quay", // shorter than 6: found as a whole value only, which version 0 has
        "seen", // shorter than 6 and never a whole value
        "Zabriskie", // a whole value of version 0
        "999-31-4159", // inside a value of version 1, at its first position
        "Philomena"), Encoders.STRING()).toDF("value");

    assertThat(SyntheaLakehouses.identifiersAtRest(spark, lakehouse, identifiers))
        .containsExactlyInAnyOrder("Wilderman", "Revere", "Quay", "Zabriskie",
            "999-31-4159");
  }
}
