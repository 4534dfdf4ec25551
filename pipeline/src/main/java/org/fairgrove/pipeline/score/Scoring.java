package org.fairgrove.pipeline.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.udf;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.train.Engine;
import org.fairgrove.pipeline.train.Recalibration;
import org.fairgrove.pipeline.train.Registry;

/**
 * Batch scoring: a registered model applied to each person's latest cohort row on or before a
 * date, merged into gold.predictions (re-running replaces, never duplicates), optionally exported
 * as FHIR R4 RiskAssessment resources (NDJSON) with a pseudonymous subject.
 */
public final class Scoring {
  private Scoring() {}

  /** What a scoring run wrote. */
  public record Result(String modelId, long rows, String fhirPath) {}

  /**
   * @param modelId the model to apply, or null for the task's champion
   * @param fhirOut folder for RiskAssessment NDJSON, or null for none
   */
  public static Result score(SparkSession spark, FairgroveConfig config, LocalDate asOf,
      String modelId, String fhirOut) {
    String taskId = config.task.requireId();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Registry registry = new Registry(spark, lakehouse);
    Registry.Entry entry = modelId != null ? registry.get(modelId)
        : registry.champion(taskId).orElseThrow(() -> Errors.noChampion(taskId));
    Progress.Stage stage = Progress.start("score " + taskId + " with " + entry.modelId());

    Dataset<Row> latest = lakehouse.read(Tables.GOLD_FEATURES)
        .filter(col("task_id").equalTo(entry.taskId())
            .and(col("index_date").leq(Date.valueOf(asOf))))
        .withColumn("recency", row_number().over(Window.partitionBy("person_id")
            .orderBy(col("index_date").desc())))
        .filter(col("recency").equalTo(1))
        .select("task_id", "person_id", "index_date", Features.FEATURES_COLUMN,
            Features.DICTIONARY_HASH_COLUMN);
    int topK = config.task.train().topContributions();
    boolean explain = topK > 0 && entry.engine().equals("xgboost");
    Dataset<Row> predicted = predict(entry, latest, explain);
    predicted = predicted.withColumn("top_features", explain
        ? topFeatures(featureNames(lakehouse, entry), topK).apply(col("contributions"))
        : lit(null).cast("array<string>"));
    Dataset<Row> predictions = predicted.select(col("task_id"), col("person_id"),
        col("index_date"), lit(Date.valueOf(asOf)).as("as_of"), lit(entry.modelId())
            .as("model_id"), col("risk"), col("top_features"),
        current_timestamp().as("scored_at"));

    lakehouse.delta(Tables.GOLD_PREDICTIONS).as("p")
        .merge(Lakehouse.conform(Tables.GOLD_PREDICTIONS, predictions).as("s"),
            "p.task_id = s.task_id AND p.person_id = s.person_id"
            + " AND p.index_date = s.index_date AND p.model_id = s.model_id")
        .whenMatched().updateAll()
        .whenNotMatched().insertAll()
        .execute();
    Dataset<Row> written = lakehouse.read(Tables.GOLD_PREDICTIONS)
        .filter(col("model_id").equalTo(entry.modelId()).and(col("as_of")
            .equalTo(Date.valueOf(asOf))));
    if (fhirOut != null) {
      riskAssessments(written, entry, config.task.description(),
          config.task.timeAtRisk().startDay(), config.task.timeAtRisk().endDay())
          .write().mode("overwrite").text(fhirOut);
    }
    long rows = written.count();
    stage.done(rows);
    return new Result(entry.modelId(), rows, fhirOut);
  }

  /**
   * A registered model's risk (recalibrated when the model was) for feature rows of its task:
   * the rows with a {@code risk} column added.
   */
  public static Dataset<Row> predict(Registry.Entry model, Dataset<Row> featureRows) {
    return predict(model, featureRows, false);
  }

  private static Dataset<Row> predict(Registry.Entry model, Dataset<Row> featureRows,
      boolean withContributions) {
    for (Row hash : featureRows.select(Features.DICTIONARY_HASH_COLUMN).distinct().limit(2)
        .collectAsList()) {
      if (!hash.getString(0).equals(model.dictionaryHash())) {
        throw Errors.wrongFeatureDictionary(model.modelId(), model.dictionaryHash(),
            hash.getString(0));
      }
    }
    return Recalibration.apply(Engine.named(model.engine()).load(model.modelPath())
        .predict(featureRows, withContributions), Recalibration.fromJson(model.recalibration()));
  }

  private static String[] featureNames(Lakehouse lakehouse, Registry.Entry model) {
    Map<Integer, String> names = Features.slotNames(lakehouse, model.taskId(),
        model.dictionaryHash());
    String[] byIndex = new String[names.size()];
    names.forEach((slot, name) -> byIndex[slot] = name);
    return byIndex;
  }

  /** "name:+0.123" for the k slots with the largest absolute SHAP value (the bias excluded). */
  private static UserDefinedFunction topFeatures(String[] names, int k) {
    return udf((UDF1<scala.collection.Seq<Double>, String[]>) contributions -> {
      List<Integer> slots = new ArrayList<>();
      for (int slot = 0; slot < contributions.size() - 1 && slot < names.length; slot++) {
        if (contributions.apply(slot) != 0.0) {
          slots.add(slot);
        }
      }
      slots.sort(Comparator.comparingDouble((Integer s) -> -Math.abs(contributions.apply(s)))
          .thenComparingInt(s -> s));
      return slots.stream().limit(k).map(s -> String.format(Locale.ROOT, "%s:%+.4f", names[s],
          contributions.apply(s))).toArray(String[]::new);
    }, DataTypes.createArrayType(DataTypes.StringType));
  }

  /** FHIR R4 RiskAssessment, one JSON line per prediction. */
  private static Dataset<Row> riskAssessments(Dataset<Row> predictions, Registry.Entry model,
      String outcome, int startDay, int endDay) {
    String method = "Fairgrove " + model.engine() + " model " + model.modelId() + " (code "
        + model.codeVersion() + ")";
    return predictions.select(to_json(struct(
        lit("RiskAssessment").as("resourceType"),
        concat(col("model_id"), lit("-"), col("person_id").cast("string"), lit("-"),
            date_format(col("index_date"), "yyyyMMdd")).as("id"),
        lit("final").as("status"),
        struct(concat(lit("Patient/"), col("person_id").cast("string")).as("reference"))
            .as("subject"),
        date_format(col("index_date"), "yyyy-MM-dd").as("occurrenceDateTime"),
        struct(lit(method).as("text")).as("method"),
        array(struct(
            struct(lit(outcome).as("text")).as("outcome"),
            col("risk").as("probabilityDecimal"),
            struct(struct(lit(startDay).as("value"), lit("d").as("unit")).as("low"),
                struct(lit(endDay).as("value"), lit("d").as("unit")).as("high"))
                .as("whenRange"))).as("prediction"))).as("value"));
  }
}
