package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.core.Errors;

/**
 * Predictions made elsewhere (a vendor's model scored on a health system's own patients), read
 * and checked before anything is written: every column present, labels 0/1, risks in 0..1, at
 * least one row, no repeated key. Without a key column each row's key is a hash of its content
 * (identical rows, which nothing can tell apart, are numbered).
 *
 * @param keyColumn the row key's column, or null to derive one
 * @param attributeColumns the column of each slicing attribute, where it is not named as the
 *     attribute
 */
public record ProvidedPredictions(String path, Format format, String labelColumn,
    String riskColumn, String keyColumn, Map<String, String> attributeColumns, String name,
    String version, String developer) {

  /** The file formats predictions are read from. */
  public enum Format implements Choice {
    CSV("csv"),
    PARQUET("parquet"),
    DELTA("delta");

    private final String configName;

    Format(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  /** The model id the run records: name and version. */
  public String modelId() {
    return (name + "-" + version).replaceAll("[^A-Za-z0-9._-]+", "_");
  }

  /**
   * The checked predictions as row_key, label, risk, person_id and index_date (null where the
   * file has none), and one column per attribute, named as the attribute.
   */
  Dataset<Row> read(SparkSession spark, GovernanceSettings policy) {
    Dataset<Row> raw;
    try {
      raw = switch (format) {
        case CSV -> spark.read().option("header", "true").option("mode", "FAILFAST").csv(path);
        case PARQUET -> spark.read().parquet(path);
        case DELTA -> spark.read().format("delta").load(path);
      };
    } catch (RuntimeException e) {
      throw Errors.predictionsUnreadable(path, format.configName(), rootMessage(e));
    }
    List<String> present = List.of(raw.columns());
    require(present, labelColumn, "label (0/1)", "--label-column");
    require(present, riskColumn, "risk (0..1)", "--risk-column");
    if (keyColumn != null) {
      require(present, keyColumn, "row key", "--key-column");
    }
    List<Column> columns = new ArrayList<>(List.of(
        number(labelColumn).as("_label_number"),
        number(riskColumn).as(Slices.RISK),
        key(raw).as(Slices.KEY),
        optional(present, "person_id", DataTypes.LongType),
        optional(present, "index_date", DataTypes.DateType)));
    for (String attribute : policy.attributes()) {
      String column = attributeColumns.getOrDefault(attribute, attribute);
      require(present, column, "attribute '" + attribute + "'", "--attribute-column "
          + attribute + "=COLUMN");
      columns.add(col(column).cast("string").as(attribute));
    }
    Dataset<Row> rows = raw.select(columns.toArray(Column[]::new));
    check(rows);
    return rows.withColumn(Slices.LABEL, col("_label_number").cast("int")).drop("_label_number");
  }

  /** One pass over the file: its size and every kind of bad row, each a clear error. */
  private void check(Dataset<Row> rows) {
    Column label = col("_label_number");
    Column risk = col(Slices.RISK);
    Row counts;
    try {
      counts = rows.agg(count(lit(1)),
          count_if(label.isNull().or(label.notEqual(0.0).and(label.notEqual(1.0)))),
          count_if(risk.isNull().or(risk.isNaN()).or(risk.lt(0)).or(risk.gt(1))),
          count_distinct(col(Slices.KEY))).first();
    } catch (RuntimeException e) {
      throw Errors.predictionsUnreadable(path, format.configName(), rootMessage(e));
    }
    long n = counts.getLong(0);
    if (n == 0) {
      throw Errors.predictionsEmpty(path);
    }
    if (counts.getLong(1) > 0) {
      throw Errors.providedLabelsInvalid(labelColumn, counts.getLong(1));
    }
    if (counts.getLong(2) > 0) {
      throw Errors.providedRisksInvalid(riskColumn, counts.getLong(2));
    }
    if (counts.getLong(3) < n) {
      throw Errors.providedKeysDuplicated(keyColumn, n - counts.getLong(3));
    }
  }

  /** A column's value as a number: null where it is empty or not a number. */
  private static Column number(String column) {
    return trim(col(column).cast("string")).try_cast(DataTypes.DoubleType);
  }

  /** The given key (hashed to 64 bits), or a hash of the row's content and its occurrence. */
  private Column key(Dataset<Row> raw) {
    if (keyColumn != null) {
      return xxhash64(col(keyColumn).cast("string"));
    }
    Column content = xxhash64(array(java.util.Arrays.stream(raw.columns())
        .map(c -> col(c).cast("string")).toArray(Column[]::new)));
    return xxhash64(content, row_number().over(Window.partitionBy(content).orderBy(content)));
  }

  private static Column optional(List<String> present, String column,
      org.apache.spark.sql.types.DataType type) {
    return (present.contains(column) ? col(column).cast(type) : lit(null).cast(type)).as(column);
  }

  private static void require(List<String> present, String column, String role, String option) {
    if (!present.contains(column)) {
      throw Errors.providedColumnMissing(column, role, option, present);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
