package org.fairgrove.pipeline.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.fairgrove.pipeline.cohort.Attrition;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.core.SmallCells;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.train.Engine;
import org.fairgrove.pipeline.train.Recalibration;
import org.fairgrove.pipeline.train.Registry;

/**
 * Batch scoring as of a date: every person of the task's target population who is under
 * observation on that date ({@link Cohort#asOf}), with features computed as of that date in the
 * model's dictionary, scored by a registered model and merged into gold.predictions (re-running
 * replaces, never duplicates); optionally exported as FHIR R4 RiskAssessments in Bulk Data
 * layout ({@link RiskAssessments}).
 */
public final class Scoring {
  private Scoring() {}

  /**
   * What a scoring run did.
   *
   * @param population persons in silver.person, then remaining after each rule of the target
   *     population: who was skipped and why
   * @param fhir the RiskAssessment export, or null
   */
  public record Result(String modelId, LocalDate asOf, long scored,
      List<Attrition.Count> population, RiskAssessments.Export fhir) {
    /** Who was scored and who was skipped, by the first rule they failed; small counts hidden. */
    public String summary(int threshold) {
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
          "Scored %s persons as of %s with %s into gold.predictions%n",
          SmallCells.show(scored, threshold), asOf, modelId));
      List<Attrition.Step> steps = Attrition.protect(population, threshold);
      out.append(String.format(Locale.ROOT, "  %s: %s%n", steps.get(0).rule(),
          shown(steps.get(0).personsRemaining())));
      for (Attrition.Step step : steps.subList(1, steps.size())) {
        out.append(String.format(Locale.ROOT, "  skipped, failing \"%s\": %s%n", step.rule(),
            shown(step.personsRemoved())));
      }
      if (fhir != null) {
        out.append(String.format(Locale.ROOT, "FHIR RiskAssessments: %s in %d file(s) in %s,"
            + " manifest %s%n", SmallCells.show(fhir.resources(), threshold),
            fhir.files().size(), fhir.folder(), fhir.manifest()));
      }
      return out.toString();
    }

    private static String shown(Long count) {
      return count == null ? "suppressed (small counts)" : Progress.count(count);
    }
  }

  /**
   * @param modelId the model to apply, or null for the task's champion
   * @param fhirOut folder for the RiskAssessment export, or null for none
   */
  public static Result score(SparkSession spark, FairgroveConfig config, LocalDate asOf,
      String modelId, String fhirOut) {
    TaskSettings task = config.task;
    String taskId = task.requireId();
    if (fhirOut != null && task.requireOutcome().exportCodes().isEmpty()) {
      throw Errors.missingConfigValue("task.outcome.export-codes", "A RiskAssessment names its"
          + " outcome by code, and task '" + taskId + "' gives none.",
          "Set task.outcome.export-codes, e.g. [\"SNOMED:44054006\", \"ICD10CM:E11\"].");
    }
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Registry registry = new Registry(spark, lakehouse);
    Registry.Entry entry = modelId != null ? registry.get(modelId)
        : registry.champion(taskId).orElseThrow(() -> Errors.noChampion(taskId));
    if (!entry.taskId().equals(taskId)) {
      throw Errors.modelOfAnotherTask(entry.modelId(), entry.taskId(), taskId);
    }
    Progress.Stage stage = Progress.start("score " + taskId + " as of " + asOf + " with "
        + entry.modelId());

    Cohort.Population population = Cohort.asOf(lakehouse, task, asOf);
    Dataset<Row> predictions = predictions(spark, config, lakehouse, entry,
        population.rows(), asOf);
    lakehouse.delta(Tables.GOLD_PREDICTIONS).as("p")
        .merge(Lakehouse.conform(Tables.GOLD_PREDICTIONS, predictions).as("s"),
            "p.task_id = s.task_id AND p.person_id = s.person_id"
            + " AND p.index_date = s.index_date AND p.model_id = s.model_id")
        .whenMatched().updateAll()
        .whenNotMatched().insertAll()
        // A lakehouse scored before the slicing attributes were kept gains their columns.
        .withSchemaEvolution()
        .execute();
    Dataset<Row> written = lakehouse.read(Tables.GOLD_PREDICTIONS)
        .filter(col("model_id").equalTo(entry.modelId()).and(col("as_of")
            .equalTo(Date.valueOf(asOf))));
    long rows = written.count();
    RiskAssessments.Export fhir = fhirOut == null ? null : RiskAssessments.write(spark, written,
        rows, entry, task, config.export.fhirIdentifierSystem(), asOf, fhirOut);
    stage.done(rows);
    return new Result(entry.modelId(), asOf, rows, population.skipped(), fhir);
  }

  /**
   * The model's predictions for index rows (with their slicing attributes), as gold.predictions
   * rows with explanations.
   */
  private static Dataset<Row> predictions(SparkSession spark, FairgroveConfig config,
      Lakehouse lakehouse, Registry.Entry entry, Dataset<Row> indexRows, LocalDate asOf) {
    Dataset<Row> featureRows = Features.inDictionary(spark, config, entry.dictionaryHash(),
        indexRows);
    int topK = config.task.train().topContributions();
    boolean explain = topK > 0 && Engine.named(entry.engine()).explains();
    // Built in the model's own dictionary: no hash to check (checking would compute them twice).
    Dataset<Row> predicted = predictInDictionary(entry, featureRows, explain);
    predicted = predicted.withColumn("top_features", explain
        ? topFeatures(featureNames(lakehouse, entry), topK).apply(col("contributions"))
        : lit(null).cast("array<string>"));
    return predicted.select(col("task_id"), col("person_id"), col("index_date"),
        lit(Date.valueOf(asOf)).as("as_of"), lit(entry.modelId()).as("model_id"), col("risk"),
        col("site_id"), col("sex"), col("race"), col("ethnicity"), col("age_band"), col("payer"),
        col("top_features"), current_timestamp().as("scored_at"));
  }

  /**
   * A registered model's risk (recalibrated when the model was) for feature rows of its task:
   * the rows with a {@code risk} column added.
   */
  public static Dataset<Row> predict(Registry.Entry model, Dataset<Row> featureRows) {
    for (Row hash : featureRows.select(Features.DICTIONARY_HASH_COLUMN).distinct().limit(2)
        .collectAsList()) {
      if (!hash.getString(0).equals(model.dictionaryHash())) {
        throw Errors.wrongFeatureDictionary(model.modelId(), model.dictionaryHash(),
            hash.getString(0));
      }
    }
    return predictInDictionary(model, featureRows, false);
  }

  /** The same for feature rows known to be in the model's dictionary (built in it). */
  private static Dataset<Row> predictInDictionary(Registry.Entry model,
      Dataset<Row> featureRows, boolean withContributions) {
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
}
