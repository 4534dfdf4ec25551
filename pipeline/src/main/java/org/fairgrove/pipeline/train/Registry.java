package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * The model registry: a Delta table with one row per model (what it was trained on, how, how
 * well) and the model files beside the lakehouse under _models/&lt;model id&gt;. Statuses:
 * candidate, champion (one per task), archived.
 */
public final class Registry {
  public static final String CANDIDATE = "candidate";
  public static final String CHAMPION = "champion";
  public static final String ARCHIVED = "archived";

  static final StructType SCHEMA = new StructType()
      .add("model_id", DataTypes.StringType, false)
      .add("task_id", DataTypes.StringType, false)
      .add("engine", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("params", DataTypes.StringType, false)
      .add("search_trace", DataTypes.StringType, false)
      .add("recalibration", DataTypes.StringType)
      .add("dictionary_hash", DataTypes.StringType, false)
      .add("input_versions", DataTypes.StringType, false)
      .add("code_version", DataTypes.StringType, false)
      .add("config_hash", DataTypes.StringType, false)
      .add("seed", DataTypes.LongType, false)
      .add("metrics", DataTypes.StringType, false)
      .add("training_seconds", DataTypes.DoubleType, false)
      .add("model_path", DataTypes.StringType, false);

  /** A registry row. */
  public record Entry(String modelId, String taskId, String engine, String status,
      String params, String searchTrace, String recalibration, String dictionaryHash,
      String inputVersions, String codeVersion, String configHash, long seed, String metrics,
      double trainingSeconds, String modelPath) {
    Row toRow() {
      return RowFactory.create(modelId, taskId, engine, status, params, searchTrace,
          recalibration, dictionaryHash, inputVersions, codeVersion, configHash, seed, metrics,
          trainingSeconds, modelPath);
    }

    static Entry of(Row row) {
      return new Entry(row.getAs("model_id"), row.getAs("task_id"), row.getAs("engine"),
          row.getAs("status"), row.getAs("params"), row.getAs("search_trace"),
          row.getAs("recalibration"), row.getAs("dictionary_hash"), row.getAs("input_versions"),
          row.getAs("code_version"), row.getAs("config_hash"), row.getAs("seed"),
          row.getAs("metrics"), row.getAs("training_seconds"), row.getAs("model_path"));
    }
  }

  private final SparkSession spark;
  private final Lakehouse lakehouse;

  public Registry(SparkSession spark, Lakehouse lakehouse) {
    this.spark = spark;
    this.lakehouse = lakehouse;
  }

  /** Where a model's files live. */
  String modelPath(String modelId) {
    return Locations.child(lakehouse.root(), "_models", modelId);
  }

  /**
   * Adds a model, or refreshes it when the same inputs and settings were trained before (same
   * id): its status and registration time stay.
   */
  void register(Entry entry) {
    Dataset<Row> row = spark.createDataFrame(List.of(entry.toRow()), SCHEMA)
        .withColumn("registered_at", current_timestamp())
        .withColumn("promoted_at", expr("CAST(NULL AS TIMESTAMP)"));
    String location = lakehouse.location(Tables.REGISTRY_MODELS);
    if (!lakehouse.exists(Tables.REGISTRY_MODELS)) {
      row.write().format("delta").mode("append").save(location);
      return;
    }
    Map<String, String> refresh = new java.util.LinkedHashMap<>();
    for (String field : SCHEMA.fieldNames()) {
      if (!field.equals("status") && !field.equals("model_id")) {
        refresh.put(field, "s." + field);
      }
    }
    DeltaTable.forPath(spark, location).as("r")
        .merge(row.as("s"), "r.model_id = s.model_id")
        .whenMatched().updateExpr(refresh)
        .whenNotMatched().insertAll()
        .execute();
  }

  public List<Entry> list() {
    if (!lakehouse.exists(Tables.REGISTRY_MODELS)) {
      return List.of();
    }
    return table().orderBy(col("registered_at"), col("model_id")).collectAsList().stream()
        .map(Entry::of).toList();
  }

  public Entry get(String modelId) {
    List<Row> rows = lakehouse.exists(Tables.REGISTRY_MODELS)
        ? table().filter(col("model_id").equalTo(modelId)).collectAsList() : List.of();
    if (rows.isEmpty()) {
      throw Errors.modelNotFound(modelId);
    }
    return Entry.of(rows.get(0));
  }

  public Optional<Entry> champion(String taskId) {
    if (!lakehouse.exists(Tables.REGISTRY_MODELS)) {
      return Optional.empty();
    }
    return table().filter(col("task_id").equalTo(taskId).and(col("status").equalTo(CHAMPION)))
        .collectAsList().stream().findFirst().map(Entry::of);
  }

  /** Makes a model its task's champion and archives the previous one, in one transaction. */
  public Entry promote(String modelId) {
    Entry entry = get(modelId);
    String task = entry.taskId().replace("'", "''");
    String id = modelId.replace("'", "''");
    DeltaTable.forPath(spark, lakehouse.location(Tables.REGISTRY_MODELS)).updateExpr(
        "task_id = '" + task + "' AND (model_id = '" + id + "' OR status = '" + CHAMPION + "')",
        Map.of(
            "status", "CASE WHEN model_id = '" + id + "' THEN '" + CHAMPION + "' ELSE '"
                + ARCHIVED + "' END",
            "promoted_at", "CASE WHEN model_id = '" + id + "' THEN current_timestamp()"
                + " ELSE promoted_at END"));
    return get(modelId);
  }

  private Dataset<Row> table() {
    return lakehouse.read(Tables.REGISTRY_MODELS, "fairgrove train");
  }
}
