package org.fairgrove.pipeline.train;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.TaskSettings;

/**
 * A learning engine. Both engines see the same rows (columns features, label) and give the same
 * outputs: a model that adds a {@code risk} column, can be saved and loaded, and reports its
 * importance per feature slot.
 */
public interface Engine {
  static Engine named(String name) {
    return switch (name) {
      case "xgboost" -> new XGBoostEngine();
      case "mllib-gbt" -> new GbtEngine();
      default -> throw new IllegalArgumentException("Unknown engine " + name);
    };
  }

  String name();

  /**
   * @param positiveWeight weight of an event relative to a non-event (1 when not weighting)
   */
  Model fit(Dataset<Row> train, Dataset<Row> validation, Trial trial,
      TaskSettings.Train settings, double positiveWeight, long seed);

  Model load(String path);

  /**
   * How many partitions the training rows come in: the engine learns from them in that
   * partitioning and order (see {@link Trainer}).
   */
  default int partitions(SparkSession spark) {
    return Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
  }

  /** One point of the hyperparameter search. */
  record Trial(int maxDepth, double learningRate, double minChildWeight) {}

  /** A fitted model. */
  interface Model {
    /** Adds {@code risk} (probability of the event) and, where the engine has them,
     * {@code contributions} (per-slot SHAP values, the bias last). */
    Dataset<Row> predict(Dataset<Row> rows, boolean withContributions);

    void save(String path);

    /** Total gain per feature slot. */
    Map<Integer, Double> gainBySlot();

    /** Trees actually used (after early stopping). */
    int rounds();
  }
}
