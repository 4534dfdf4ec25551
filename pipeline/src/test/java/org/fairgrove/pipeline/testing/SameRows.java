package org.fairgrove.pipeline.testing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * Two sets of rows compared as multisets (every distinct row as many times on both sides) in one
 * aggregation, where a count of each side and exceptAll each way took four Spark jobs; the
 * end-to-end tests compare dozens of tables.
 */
public final class SameRows {
  /** Copies of a row in the first set minus copies in the second. */
  public static final String SURPLUS = "surplus_of_first";

  private SameRows() {}

  /**
   * The distinct rows that the two sets (the same columns, matched by name) hold a different
   * number of times, with {@link #SURPLUS}. Map columns are compared as JSON: Spark cannot group
   * by a map.
   */
  public static Dataset<Row> surplus(Dataset<Row> first, Dataset<Row> second) {
    Dataset<Row> groupableFirst = groupable(first);
    Column[] row = Arrays.stream(groupableFirst.columns()).map(c -> col(c))
        .toArray(Column[]::new);
    Dataset<Row> tagged = groupableFirst.withColumn(SURPLUS, lit(1L))
        .unionByName(groupable(second).withColumn(SURPLUS, lit(-1L)));
    return tagged.groupBy(row).agg(sum(SURPLUS).as(SURPLUS)).where(col(SURPLUS).notEqual(0));
  }

  /** Fails unless the two sets hold the same rows as many times each, showing a few that differ. */
  public static void assertSame(String what, Dataset<Row> first, Dataset<Row> second) {
    assertThat(surplus(first, second).limit(5).collectAsList())
        .as(what + ": rows held more often by the first set (" + SURPLUS + " > 0) or the second")
        .isEmpty();
  }

  private static Dataset<Row> groupable(Dataset<Row> rows) {
    for (StructField field : rows.schema().fields()) {
      if (field.dataType() instanceof MapType) {
        rows = rows.withColumn(field.name(), to_json(col(field.name())));
      }
    }
    return rows;
  }
}
