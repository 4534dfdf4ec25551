package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
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

  /** The registry row as a model is registered: the contract without its timestamps. */
  private static final List<String> TIMESTAMPS = List.of("registered_at", "promoted_at");

  /** A registry row. */
  public record Entry(String modelId, String taskId, String engine, String status,
      String params, String searchTrace, String recalibration, String operatingPoints,
      String dictionaryHash, String inputVersions, String codeVersion, String configHash,
      long seed, String metrics, double trainingSeconds, String modelPath) {
    Row toRow() {
      return RowFactory.create(modelId, taskId, engine, status, params, searchTrace,
          recalibration, operatingPoints, dictionaryHash, inputVersions, codeVersion, configHash,
          seed, metrics, trainingSeconds, modelPath);
    }

    static Entry of(Row row) {
      return new Entry(row.getAs("model_id"), row.getAs("task_id"), row.getAs("engine"),
          row.getAs("status"), row.getAs("params"), row.getAs("search_trace"),
          row.getAs("recalibration"), row.getAs("operating_points"),
          row.getAs("dictionary_hash"), row.getAs("input_versions"), row.getAs("code_version"),
          row.getAs("config_hash"), row.getAs("seed"), row.getAs("metrics"),
          row.getAs("training_seconds"), row.getAs("model_path"));
    }

    /** The operating points frozen with the model (empty for a model that predates them). */
    public List<OperatingPoints.Point> points() {
      return OperatingPoints.fromJson(operatingPoints);
    }
  }

  private static StructType entrySchema() {
    StructType schema = new StructType();
    for (StructField field : Tables.REGISTRY_MODELS.schema().fields()) {
      if (!TIMESTAMPS.contains(field.name())) {
        schema = schema.add(field);
      }
    }
    return schema;
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
    StructType schema = entrySchema();
    Dataset<Row> row = Lakehouse.conform(Tables.REGISTRY_MODELS,
        spark.createDataFrame(List.of(entry.toRow()), schema)
            .withColumn("registered_at", current_timestamp())
            .withColumn("promoted_at", expr("CAST(NULL AS TIMESTAMP)")));
    Map<String, String> refresh = new java.util.LinkedHashMap<>();
    for (String field : schema.fieldNames()) {
      if (!field.equals("status") && !field.equals("model_id")) {
        refresh.put(field, "s." + field);
      }
    }
    lakehouse.delta(Tables.REGISTRY_MODELS).as("r")
        .merge(row.as("s"), "r.model_id = s.model_id")
        .whenMatched().updateExpr(refresh)
        .whenNotMatched().insertAll()
        .withSchemaEvolution()
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
    // Column expressions, not SQL text: ids are compared as values, whatever they hold.
    Column promoted = col("model_id").equalTo(modelId);
    lakehouse.delta(Tables.REGISTRY_MODELS).update(
        col("task_id").equalTo(entry.taskId()).and(promoted.or(col("status").equalTo(CHAMPION))),
        Map.of(
            "status", when(promoted, lit(CHAMPION)).otherwise(lit(ARCHIVED)),
            "promoted_at", when(promoted, current_timestamp()).otherwise(col("promoted_at"))));
    return get(modelId);
  }

  private Dataset<Row> table() {
    return lakehouse.read(Tables.REGISTRY_MODELS);
  }
}
