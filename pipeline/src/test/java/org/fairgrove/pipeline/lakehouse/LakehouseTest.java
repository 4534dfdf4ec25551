package org.fairgrove.pipeline.lakehouse;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables are brought up to their declaration, also when an earlier version created them, a
 * replacing write replaces exactly its scope, and rows built on the driver are written in
 * bounded slices.
 */
@ExtendWith(SparkTestSession.class)
class LakehouseTest {
  @TempDir Path dir;

  @Test
  void anEarlierVersionsTableTakesItsDeclaredPropertiesOnceByItsNextWrite(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    Table bronze = Tables.bronze("visit_occurrence");
    // An earlier version's statistics columns, one fewer than declared now.
    DeltaTable.createIfNotExists(spark).location(lakehouse.location(bronze))
        .addColumns(bronze.schema()).partitionedBy(bronze.partitionColumn())
        .property(Table.STATS_COLUMNS, "site_id,source_file").execute();

    lakehouse.write(bronze, spark.createDataFrame(List.<Row>of(), bronze.schema()), "B1");
    lakehouse.create(bronze);

    assertThat(lakehouse.properties(bronze))
        .containsEntry(Table.STATS_COLUMNS, "site_id,source_file,row_position");
    // Brought up to its declaration by the write; the next step finds it so and commits nothing.
    assertThat(DeltaTable.forPath(spark, lakehouse.location(bronze)).history()
        .where("operation = 'SET TBLPROPERTIES'").count()).isEqualTo(1);
  }

  @Test
  void aTableWithoutDeclaredPropertiesIsCreatedWithDeltasDefaults(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    lakehouse.create(Tables.OPS_INGEST_LOG);
    lakehouse.create(Tables.OPS_INGEST_LOG);

    assertThat(lakehouse.properties(Tables.OPS_INGEST_LOG))
        .doesNotContainKeys(Table.STATS_COLUMNS, Table.DELETION_VECTORS);
    assertThat(lakehouse.version(Tables.OPS_INGEST_LOG)).isZero();
  }

  @Test
  void aReplaceScopeHoldingQuotesAndBackslashesReplacesExactlyItsOwnRows(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    Table importance = Tables.REGISTRY_FEATURE_IMPORTANCE;
    String quoted = "model 'A' \\ 2026";
    lakehouse.write(importance, slots(spark, quoted, 3), quoted);
    lakehouse.write(importance, slots(spark, "model A 2026", 2), "model A 2026");
    lakehouse.write(importance, slots(spark, quoted, 1), quoted);

    Dataset<Row> rows = lakehouse.read(importance);
    assertThat(rows.where(col("model_id").equalTo(quoted)).count()).isEqualTo(1);
    assertThat(rows.where(col("model_id").equalTo("model A 2026")).count()).isEqualTo(2);
  }

  @Test
  void rowsBuiltOnTheDriverReachSparkInSlicesOfBoundedSize(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    Table importance = Tables.REGISTRY_FEATURE_IMPORTANCE;
    int slots = 2 * Lakehouse.DRIVER_ROWS_PER_TASK + 1;
    List<Row> rows = new ArrayList<>();
    for (int slot = 0; slot < slots; slot++) {
      rows.add(RowFactory.create("m1", slot, "slot_" + slot, 1.0, 1.0 / slots));
    }

    lakehouse.write(importance, rows, "m1");

    // One task, so one file, per slice: 4,000 + 4,000 + 1 rows.
    Dataset<Row> written = lakehouse.read(importance);
    assertThat(written.inputFiles()).hasSize(3);
    Row totals = written.selectExpr("count(*)", "sum(slot)", "count(DISTINCT slot)").first();
    assertThat(totals.getLong(0)).isEqualTo(slots);
    assertThat(totals.getLong(1)).isEqualTo((long) slots * (slots - 1) / 2);
    assertThat(totals.getLong(2)).isEqualTo(slots);
  }

  /** {@code count} feature slots of one model. */
  private static Dataset<Row> slots(SparkSession spark, String modelId, int count) {
    return spark.range(count).select(lit(modelId).as("model_id"),
        col("id").cast("int").as("slot"), lit("age").as("feature"), lit(1.0).as("gain"),
        lit(1.0 / count).as("share"));
  }
}
