package org.fairgrove.pipeline.train;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.config.EngineKind;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.lakehouse.SparkSessions;

/**
 * A learning engine. Both engines see the same rows (columns features, label) and give the same
 * outputs: a model that adds a {@code risk} column, can be saved and loaded, and reports its
 * importance per feature slot.
 */
public interface Engine {
  static Engine of(EngineKind kind) {
    return switch (kind) {
      case XGBOOST -> new XGBoostEngine();
      case MLLIB_GBT -> new GbtEngine();
    };
  }

  /** The engine a registry row names. */
  static Engine named(String name) {
    return of(Choice.named(EngineKind.class, name));
  }

  EngineKind kind();

  default String name() {
    return kind().configName();
  }

  /** Whether its models give per-slot contributions (SHAP values) with their risks. */
  default boolean explains() {
    return false;
  }

  Model fit(TrainingSet rows, Trial trial, TaskSettings.Train settings, long seed);

  Model load(String path);

  /**
   * How many partitions the training rows come in: the engine learns from them in that
   * partitioning and order (see {@link Trainer}), so a model depends on the number.
   */
  default int partitions(SparkSession spark, TaskSettings.Train settings) {
    return Integer.parseInt(spark.conf().get(SparkSessions.SHUFFLE_PARTITIONS));
  }

  /**
   * What a model learns from: training and validation rows (columns features, label) and the
   * training split's class counts.
   *
   * @param positiveWeight weight of an event relative to a non-event (1 when not weighting)
   * @param partitions the rows' partitions, from {@link #partitions}
   */
  record TrainingSet(Dataset<Row> train, Dataset<Row> validation, long events, long nonEvents,
      double positiveWeight, int partitions) {
    /**
     * What one training row adds, on average, to XGBoost's min_child_weight: the log loss's
     * second derivative p(1 - p) at the weighted base rate, times the row's mean weight. About
     * 0.005 at 0.5% prevalence, so a minimum child weight of 1 is about 200 rows.
     */
    double hessianPerRow() {
      double eventWeight = events * positiveWeight;
      double rate = eventWeight / (eventWeight + nonEvents);
      return (eventWeight + nonEvents) * rate * (1 - rate) / (events + nonEvents);
    }
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
