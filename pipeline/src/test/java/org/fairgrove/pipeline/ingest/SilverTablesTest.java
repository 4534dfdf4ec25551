package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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

  /**
   * The ingest log's word that the site has rows only spares a query: a merge finds the site's
   * rows by key either way. A run killed after merging and before logging left rows the log
   * does not show, and merging them again adds no second copy.
   */
  @Test
  void aMergeMatchesTheSitesRowsByKeyWhateverTheLogShows(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    SilverTables silver = new SilverTables(spark, lakehouse);
    SourceTable person = SourceTable.PERSON;

    assertThat(silver.merge(person, persons(spark, "S1", 1970, 1, 2), 2, "S1", false))
        .isEqualTo(new SilverTables.Merged(2, 0));
    // Rows the log does not show: person 2 again with another year, person 3 new.
    assertThat(silver.merge(person, persons(spark, "S1", 1971, 2, 3), 2, "S1", false))
        .isEqualTo(new SilverTables.Merged(1, 1));
    assertThat(silver.merge(person, persons(spark, "S1", 1971, 2, 3), 2, "S1", true))
        .isEqualTo(new SilverTables.Merged(0, 0));
    // The log shows rows of S2 that silver no longer holds (rebuilt from bronze, say).
    assertThat(silver.merge(person, persons(spark, "S2", 1970, 1), 1, "S2", true))
        .isEqualTo(new SilverTables.Merged(1, 0));

    assertThat(lakehouse.read(Tables.silver(person.table()))
        .selectExpr("site_id", "person_id", "year_of_birth").collectAsList())
        .extracting(Row::toString).containsExactlyInAnyOrder("[S1,1,1970]", "[S1,2,1971]",
            "[S1,3,1971]", "[S2,1,1970]");
  }

  /**
   * A batch that leaves a table no accepted row (sent empty, or all quarantined) does not merge
   * into it: neither silver nor the batch's rows are read. Here the batch's rows fail the batch
   * if read, and hold none otherwise.
   */
  @Test
  void aTableWithNoAcceptedRowIsLeftAsItIs(SparkSession spark) {
    Lakehouse lakehouse = new Lakehouse(spark, dir.resolve("lakehouse").toString());
    SilverTables silver = new SilverTables(spark, lakehouse);
    SourceTable person = SourceTable.PERSON;
    silver.merge(person, persons(spark, "S1", 1970, 1, 2), 2, "S1", false);
    long version = lakehouse.version(Tables.silver(person.table()));
    Dataset<Row> none = persons(spark, "S1", 1971, 1)
        .where(raise_error(lit("the merge read rows it had no use for")).isNull());

    assertThat(silver.merge(person, none, 0, "S1", true))
        .isEqualTo(new SilverTables.Merged(0, 0));
    assertThat(lakehouse.version(Tables.silver(person.table()))).isEqualTo(version);
    assertThat(lakehouse.read(Tables.silver(person.table())).count()).isEqualTo(2);
  }

  /** Silver person rows of one site, born in one year. */
  private static Dataset<Row> persons(SparkSession spark, String site, int year, long... ids) {
    List<Row> rows = new ArrayList<>();
    for (long id : ids) {
      rows.add(RowFactory.create(id, 8507, year, 0, 0, null, null, null, "021", site, "b-" + year,
          "person.csv"));
    }
    return spark.createDataFrame(rows, SourceTable.PERSON.silverSchema());
  }
}
