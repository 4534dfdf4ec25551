package org.fairgrove.pipeline.train;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.config.EngineKind;
import org.fairgrove.pipeline.config.TaskSettings;

/**
 * Spark MLlib GBTClassifier. It cannot take missing values, so a missing value becomes a
 * sentinel below every real value: a tree can still send "missing" its own way, as XGBoost does.
 * It has no early stopping on a separate set here: the rounds are fixed.
 */
final class GbtEngine implements Engine {
  /** Below every feature value Fairgrove produces (ages, counts, lab values, slopes). */
  static final double MISSING = -1e9;
  private static final String MODEL_INPUT = "features_imputed";

  private static final UserDefinedFunction IMPUTE_MISSING = udf(
      (UDF1<Vector, Vector>) GbtEngine::imputeMissing, SQLDataTypes.VectorType());

  @Override
  public EngineKind kind() {
    return EngineKind.MLLIB_GBT;
  }

  @Override
  public Model fit(Dataset<Row> train, Dataset<Row> validation, Trial trial,
      TaskSettings.Train settings, double positiveWeight, long seed) {
    GBTClassifier classifier = new GBTClassifier()
        .setFeaturesCol(MODEL_INPUT)
        .setLabelCol("label")
        .setWeightCol("weight")
        .setMaxIter(settings.rounds())
        .setMaxDepth(trial.maxDepth())
        .setStepSize(trial.learningRate())
        .setMinInstancesPerNode((int) Math.max(1, Math.round(trial.minChildWeight())))
        .setSeed(seed);
    // Boosting reads its input again at every round (to update the residuals): cached once here
    // rather than recomputed from the feature table and the imputation each time.
    Dataset<Row> weighted = imputed(train).withColumn("weight",
        when(col("label").equalTo(1), lit(positiveWeight)).otherwise(lit(1.0)))
        .withColumn("label", col("label").cast("double"))
        .select(MODEL_INPUT, "label", "weight")
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return new Fitted(classifier.fit(weighted));
    } finally {
      weighted.unpersist();
    }
  }

  @Override
  public Model load(String path) {
    return new Fitted(GBTClassificationModel.load(path));
  }

  /** The model reads its own copy of the features, with missing values imputed. */
  private static Dataset<Row> imputed(Dataset<Row> rows) {
    return rows.withColumn(MODEL_INPUT, IMPUTE_MISSING.apply(col("features")));
  }

  private static Vector imputeMissing(Vector vector) {
    SparseVector sparse = vector.toSparse();
    double[] values = sparse.values().clone();
    for (int i = 0; i < values.length; i++) {
      if (Double.isNaN(values[i])) {
        values[i] = MISSING;
      }
    }
    return Vectors.sparse(sparse.size(), sparse.indices(), values);
  }

  private record Fitted(GBTClassificationModel model) implements Model {
    @Override
    public Dataset<Row> predict(Dataset<Row> rows, boolean withContributions) {
      return model.transform(imputed(rows))
          .withColumn("risk", vector_to_array(col("probability"), "float64").getItem(1))
          .drop("probability", "rawPrediction", "prediction", MODEL_INPUT);
    }

    @Override
    public void save(String path) {
      try {
        model.write().overwrite().save(path);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("Saving the model to " + path + " failed", e);
      }
    }

    @Override
    public Map<Integer, Double> gainBySlot() {
      Map<Integer, Double> gain = new HashMap<>();
      double[] importances = model.featureImportances().toArray();
      for (int slot = 0; slot < importances.length; slot++) {
        if (importances[slot] > 0) {
          gain.put(slot, importances[slot]);
        }
      }
      return gain;
    }

    @Override
    public int rounds() {
      return model.getNumTrees();
    }
  }
}
