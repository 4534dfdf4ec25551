package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * Rows of one batch sharing a natural key: identical content keeps the first (by file and
 * position) and counts the rest as duplicates; differing content quarantines them all as
 * duplicate_key_conflict, since which one is right cannot be known. Decided from the landed
 * (bronze) rows, so silver can be re-derived from bronze alone.
 *
 * <p>Only keys sent more than once are looked at again: one aggregation by key, then a join of
 * those few keys back to the rows.
 */
final class Duplicates {
  /** Classified rows carry this next to the bronze columns. */
  static final String DUPLICATE = "_duplicate";

  private static final String KEY = "_dup_key";
  private static final String ROWS = "_dup_rows";
  private static final String LOW = "_dup_low";
  private static final String HIGH = "_dup_high";
  private static final String FIRST = "_dup_first";
  private static final String FINGERPRINT = "_dup_fingerprint";

  private final SourceTable table;
  private final Dataset<Row> cached;
  private final Dataset<Row> landed;
  /** The keys sent more than once: few, so kept while the batch's rows are read again. */
  private final Dataset<Row> repeated;

  /**
   * Finds the batch's repeated keys (one aggregation; the result is cached until release).
   *
   * @param landed the table's landed rows, cached by the caller and released with these
   */
  Duplicates(SourceTable table, Dataset<Row> landed) {
    this.table = table;
    this.cached = landed;
    this.landed = landed.withColumn(FINGERPRINT, xxhash64(content(table)));
    this.repeated = this.landed.where(valid(table))
        .groupBy(col(table.keyColumn).as(KEY))
        .agg(count(lit(1)).as(ROWS), min(FINGERPRINT).as(LOW), max(FINGERPRINT).as(HIGH),
            min(place()).as(FIRST))
        .where(col(ROWS).gt(1))
        .persist(StorageLevel.MEMORY_AND_DISK());
    // Materialised now, the cache has its true size, so the planner broadcasts the few keys to
    // every join of classified(); planned before, it shuffled every landed row to meet them (a
    // batch's table is joined by the checks, the quarantine and the merge).
    this.repeated.count();
  }

  /** The bronze rows with {@link #DUPLICATE} set and key conflicts quarantined. */
  Dataset<Row> classified() {
    Dataset<Row> rows = landed;
    Column valid = valid(table);
    Column place = place();
    Dataset<Row> joined = rows.join(repeated,
        rows.col(table.keyColumn).equalTo(repeated.col(KEY)).and(valid), "left");
    Column sent = col(ROWS).isNotNull();
    Column conflict = sent.and(col(LOW).notEqual(col(HIGH)));
    Column duplicate = sent.and(col(LOW).equalTo(col(HIGH))).and(place.notEqual(col(FIRST)));
    return joined
        .withColumn(Conform.OFFENDING, when(conflict, Conform.nameArray(table.keyColumn))
            .otherwise(col(Conform.OFFENDING)))
        .withColumn(Conform.REASON, when(conflict, lit(Conform.DUPLICATE_KEY_CONFLICT))
            .otherwise(col(Conform.REASON)))
        .withColumn(DUPLICATE, duplicate)
        .drop(KEY, ROWS, LOW, HIGH, FIRST, FINGERPRINT);
  }

  void release() {
    repeated.unpersist();
    cached.unpersist();
  }

  private static Column[] content(SourceTable table) {
    List<Column> content = new ArrayList<>();
    for (StructField field : Conform.valueFields(table)) {
      content.add(col(field.name()));
    }
    return content.toArray(Column[]::new);
  }

  private static Column valid(SourceTable table) {
    return col(Conform.REASON).isNull().and(col(table.keyColumn).isNotNull());
  }

  private static Column place() {
    return struct(col(SourceFiles.SOURCE_FILE), col(SourceFiles.ROW_POSITION));
  }

  /** Rows that reach silver: no reason, not a duplicate. */
  static Column accepted() {
    return col(Conform.REASON).isNull().and(col(DUPLICATE).equalTo(false));
  }
}
