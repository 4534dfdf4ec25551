package org.fairgrove.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Silver tables are created with their constraints and properties, also over what an earlier run
 * left: a process killed while Delta creates a table leaves its folder with a bare
 * {@code _delta_log} and no commit (seen in IngestCrashIT), which is no table, and a table from an
 * earlier version lacks newer properties.
 */
@ExtendWith(SparkTestSession.class)
class SilverTablesTest {
  @TempDir Path dir;

  @Test
  void aTableWhoseCreationWasKilledIsCreatedByTheNextRun(SparkSession spark) throws Exception {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    Table visits = Tables.silver(SourceTable.VISIT_OCCURRENCE.table());
    Path log = Files.createDirectories(Path.of(lakehouse.location(visits), "_delta_log"));
    // The first commit half written: Delta writes a hidden temporary file, then renames it.
    Files.writeString(log.resolve(".00000000000000000000.json.5f1c.tmp"), "{\"commitInfo\":");

    assertThat(lakehouse.exists(visits)).isFalse();
    assertThat(lakehouse.tables()).isEmpty();
    assertThatThrownBy(() -> lakehouse.read(visits))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("fairgrove ingest");

    new SilverTables(spark, lakehouse).ensure(SourceTable.VISIT_OCCURRENCE);

    assertThat(lakehouse.exists(visits)).isTrue();
    assertThat(lakehouse.tables()).containsExactly(visits.id());
    assertThat(lakehouse.read(visits).count()).isZero();
    assertThat(lakehouse.properties(visits))
        .containsKey("delta.constraints.visit_occurrence_end_not_before_start");
  }

  /** A silver table created by an earlier version gains the properties it lacks. */
  @Test
  void anEarlierVersionsTableGainsItsProperties(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    String location = lakehouse.location(Tables.SILVER_VISIT);
    DeltaTable.createIfNotExists(spark).location(location)
        .addColumns(SourceTable.VISIT_OCCURRENCE.silverSchema()).execute();

    new SilverTables(spark, lakehouse).ensure(SourceTable.VISIT_OCCURRENCE);

    assertThat(lakehouse.properties(Tables.SILVER_VISIT)).containsEntry(Table.STATS_COLUMNS,
        "site_id,source_batch_id").containsEntry(Table.DELETION_VECTORS, "true")
        .containsKey("delta.constraints.visit_occurrence_end_not_before_start");
  }
}
