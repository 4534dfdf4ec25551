package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * Silver tables: created from their contract with Delta NOT NULL and CHECK constraints, and
 * updated only by MERGE on the natural key (site_id, source id), touching only rows whose
 * content changed, so merging the same rows again commits nothing.
 */
final class SilverTables {
  private static final String CONSTRAINT_PROPERTY = "delta.constraints.";
  private final SparkSession spark;
  private final Lakehouse lakehouse;

  SilverTables(SparkSession spark, Lakehouse lakehouse) {
    this.spark = spark;
    this.lakehouse = lakehouse;
  }

  /** Rows inserted and updated by one merge. */
  record Merged(long inserted, long updated) {}

  /** The CHECK constraints a table's contract implies, by name. */
  static Map<String, String> constraints(SourceTable table) {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("person_id_is_pseudonym", "person_id >= 0");
    if (table.endDate != null) {
      boolean endRequired = !table.silverSchema().apply(table.endDate).nullable();
      checks.put(table.table() + "_end_not_before_start",
          (endRequired ? "" : table.endDate + " IS NULL OR ") + table.endDate + " >= "
              + table.eventDate);
    }
    return checks;
  }

  /**
   * Creates the table with its constraints and declared properties, or adds any that an existing
   * one lacks (a lakehouse written by an earlier version).
   *
   * @return whether it created the table, which then holds no rows
   */
  boolean ensure(SourceTable table) {
    Table id = Tables.silver(table.table());
    if (!lakehouse.exists(id)) {
      // Constraints and properties go into the creating commit: one commit, not one each.
      DeltaTableBuilder builder = lakehouse.creator(id).addColumns(table.silverSchema());
      for (Map.Entry<String, String> constraint : constraints(table).entrySet()) {
        builder = builder.property(CONSTRAINT_PROPERTY + constraint.getKey(),
            constraint.getValue());
      }
      builder.execute();
      return true;
    }
    Set<String> properties = lakehouse.upgrade(id);
    for (Map.Entry<String, String> constraint : constraints(table).entrySet()) {
      if (!properties.contains(CONSTRAINT_PROPERTY
          + constraint.getKey().toLowerCase(Locale.ROOT))) {
        spark.sql("ALTER TABLE " + lakehouse.sqlName(id) + " ADD CONSTRAINT "
            + constraint.getKey() + " CHECK (" + constraint.getValue() + ")");
      }
    }
    return false;
  }

  /**
   * Merges one site's accepted rows (silver columns, one row per key) into the silver table.
   *
   * @param rows how many rows {@code accepted} has (counted with the batch's checks)
   * @param siteId the batch's site: every accepted row is its, and a key is unique per site
   * @param siteHasRows the ingest log shows rows of the site in the table; otherwise a query
   *     tells (a killed run may have merged rows it never logged)
   */
  Merged merge(SourceTable table, Dataset<Row> accepted, long rows, String siteId,
      boolean siteHasRows) {
    boolean created = ensure(table);
    if (rows == 0) {
      // Nothing accepted (a table the batch sends empty, or whose rows all went to quarantine):
      // silver keeps its rows unchanged, and a merge would still scan the site's files.
      return new Merged(0, 0);
    }
    String location = lakehouse.location(Tables.silver(table.table()));
    DeltaTable target = DeltaTable.forPath(spark, location);
    // Only the site's own rows can match. Naming the site lets Delta skip the other sites' files
    // (ingest writes each file from one site's rows): a batch costs the same however many sites
    // are in. A table created just now has none, and looking would cost Delta's file listing.
    Column ofSite = col("site_id").equalTo(lit(siteId));
    if (created || !siteHasRows && target.toDF().where(ofSite).isEmpty()) {
      // The site's first load has nothing to match: a plain append is the same commit, cheaper.
      accepted.write().format("delta").mode(SaveMode.Append).save(location);
      return new Merged(rows, 0);
    }
    Column sameKey = col("s.site_id").equalTo(col("t.site_id"))
        .and(col("s." + table.keyColumn).equalTo(col("t." + table.keyColumn)));
    // Checkpointed: read from the batch's caches, the source failed tables merging in parallel
    // (Delta's DELTA_MERGE_SOURCE_CACHED_DURING_EXECUTION). A checkpoint is deterministic, so
    // Delta's own copy of it is turned off (Ingest's MERGE_MATERIALIZE_SOURCE).
    Dataset<Row> source = accepted.localCheckpoint(true);
    // Delta finds the changed rows itself: only a file holding a row that the update's condition
    // holds for counts as touched, so unchanged rows are not rewritten, and a batch that changes
    // nothing makes no commit (Delta skips an empty one). Finding them first in a join of our own
    // scanned silver's site rows once more and took 5 more Spark jobs per table.
    Row metrics = target.as("t").merge(source.as("s"),
            col("t.site_id").equalTo(lit(siteId)).and(sameKey))
        .whenMatched(not(sameContent(table))).updateAll()
        .whenNotMatched().insertAll()
        .execute().first();
    return new Merged(metrics.getAs("num_inserted_rows"), metrics.getAs("num_updated_rows"));
  }

  /** A batch row ({@code s}) and its silver row ({@code t}) agree on every non-lineage column. */
  private static Column sameContent(SourceTable table) {
    Column sameContent = lit(true);
    for (StructField field : table.silverSchema().fields()) {
      if (!SourceTable.LINEAGE.contains(field.name())) {
        sameContent = sameContent.and(
            col("s." + field.name()).eqNullSafe(col("t." + field.name())));
      }
    }
    return sameContent;
  }

  /** The silver columns of classified rows, in contract order. */
  static Dataset<Row> silverColumns(SourceTable table, Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>();
    for (String name : table.silverSchema().fieldNames()) {
      columns.add(col(name));
    }
    return rows.select(columns.toArray(Column[]::new));
  }
}
