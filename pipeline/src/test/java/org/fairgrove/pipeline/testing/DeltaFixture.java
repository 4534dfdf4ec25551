package org.fairgrove.pipeline.testing;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Schemas;
import org.fairgrove.pipeline.lakehouse.Table;

/**
 * A schema-driven row builder for hand-made tables: declare the columns once (Spark DDL), add rows
 * in column order (dates as "yyyy-MM-dd", whole numbers as int or long, nulls as null), then
 * write them as a Delta table or use them as a Dataset.
 */
public final class DeltaFixture {
  private final SparkSession spark;
  private final StructType schema;
  private final List<Row> rows = new ArrayList<>();

  private DeltaFixture(SparkSession spark, StructType schema) {
    this.spark = spark;
    this.schema = schema;
  }

  public static DeltaFixture table(SparkSession spark, String ddl) {
    return new DeltaFixture(spark, StructType.fromDDL(ddl));
  }

  /** A table with a contract from schemas/, e.g. "silver/person". */
  public static DeltaFixture contract(SparkSession spark, String schemaName) {
    return new DeltaFixture(spark, Schemas.load(schemaName));
  }

  /**
   * Adds a row given as column name, value pairs; columns not named are null, or for a NOT NULL
   * column a neutral value (0, "", false or the lineage defaults site S1, batch "fixture").
   */
  public DeltaFixture with(Object... namesAndValues) {
    Map<String, Object> given = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = (String) namesAndValues[i];
      if (!List.of(schema.fieldNames()).contains(name)) {
        throw new IllegalArgumentException("no column " + name + " in " + schema.simpleString());
      }
      given.put(name, namesAndValues[i + 1]);
    }
    Object[] values = new Object[schema.size()];
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      values[i] = given.containsKey(fields[i].name()) ? given.get(fields[i].name())
          : fields[i].nullable() ? null : neutral(fields[i]);
    }
    return row(values);
  }

  private static Object neutral(StructField field) {
    return switch (field.name()) {
      case "site_id" -> "S1";
      case "source_batch_id" -> "fixture";
      case "source_file" -> "fixture.csv";
      default -> field.dataType().equals(DataTypes.StringType) ? ""
          : field.dataType().equals(DataTypes.BooleanType) ? (Object) false : 0;
    };
  }

  public DeltaFixture row(Object... values) {
    if (values.length != schema.size()) {
      throw new IllegalArgumentException("expected " + schema.size() + " values ("
          + schema.simpleString() + "), got " + values.length);
    }
    Object[] converted = new Object[values.length];
    StructField[] fields = schema.fields();
    for (int i = 0; i < values.length; i++) {
      converted[i] = convert(values[i], fields[i].dataType());
    }
    rows.add(RowFactory.create(converted));
    return this;
  }

  public Dataset<Row> dataset() {
    return spark.createDataFrame(rows, schema);
  }

  /** Writes (overwrites) the rows as a Delta table and returns this fixture. */
  public DeltaFixture writeTo(Lakehouse lakehouse, Table table) {
    dataset().write().format("delta").mode("overwrite").option("overwriteSchema", "true")
        .save(lakehouse.location(table));
    return this;
  }

  private static Object convert(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    if (type.equals(DataTypes.DateType) && value instanceof String text) {
      return Date.valueOf(LocalDate.parse(text));
    }
    if (type.equals(DataTypes.IntegerType) && value instanceof Long number) {
      return number.intValue();
    }
    if (type.equals(DataTypes.LongType) && value instanceof Integer number) {
      return number.longValue();
    }
    if (type.equals(DataTypes.DoubleType) && value instanceof Number number) {
      return number.doubleValue();
    }
    return value;
  }
}
