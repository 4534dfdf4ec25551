package org.fairgrove.pipeline.bench;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.SparkSessions;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.train.Trainer;

/**
 * The training benchmark's baseline: xgboost4j's own {@code XGBoost.train} on a dense DMatrix in
 * this JVM, on the training rows the train-xgboost stage reads, with its parameters and as many
 * threads as its workers have together. It holds the rows in memory on one machine, which is
 * what XGBoost-on-Spark is measured against, not a way to train.
 */
final class NativeXGBoost {
  private NativeXGBoost() {}

  /** Trains and scores the test rows; the outcome holds the fit's seconds and the test AUROC. */
  static BenchStage.Outcome train(SparkSession spark, FairgroveConfig config) {
    TaskSettings task = config.task;
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    try {
      Matrix training = matrix(spark, lakehouse, task.requireId(), "train");
      Matrix test = matrix(spark, lakehouse, task.requireId(), "test");
      int threads = SparkSessions.taskSlots(spark)
          * spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
      long start = System.nanoTime();
      Booster booster = XGBoost.train(training.data, params(task.train(), threads,
          config.run.seed()), task.train().rounds(), Map.of(), null, null);
      double fitSeconds = (System.nanoTime() - start) / 1e9;
      float[][] risks = booster.predict(test.data);
      double testAuroc = auroc(spark, test.labels, risks);
      booster.dispose();
      training.data.dispose();
      test.data.dispose();
      return new BenchStage.Outcome(training.labels.length + test.labels.length,
          JsonNodeFactory.instance.objectNode().put("threads", threads)
              .put("fit_seconds", Math.round(fitSeconds * 10) / 10.0)
              .put("test_auroc", testAuroc));
    } catch (XGBoostError e) {
      throw new IllegalStateException("Native XGBoost failed", e);
    }
  }

  /** The train-xgboost stage's single trial as xgboost4j parameters. */
  private static Map<String, Object> params(TaskSettings.Train settings, int threads, long seed) {
    return Map.of("objective", "binary:logistic", "tree_method", "hist",
        "max_depth", settings.maxDepth().get(0), "eta", settings.learningRate().get(0),
        "min_child_weight", settings.minChildWeight().get(0), "nthread", threads,
        "seed", seed, "verbosity", 0);
  }

  private record Matrix(DMatrix data, float[] labels) {}

  /** One split's feature rows as a dense matrix (NaN missing), streamed to the driver. */
  private static Matrix matrix(SparkSession spark, Lakehouse lakehouse, String taskId,
      String split) throws XGBoostError {
    List<float[]> rows = new ArrayList<>();
    List<Float> labels = new ArrayList<>();
    Iterator<Row> it = lakehouse.read(Tables.GOLD_FEATURES)
        .filter(col("task_id").equalTo(taskId).and(col("split").equalTo(split)))
        .select(col("label"), vector_to_array(col("features"), "float32"))
        .toLocalIterator();
    while (it.hasNext()) {
      Row row = it.next();
      labels.add((float) row.getInt(0));
      List<Float> values = row.getList(1);
      float[] dense = new float[values.size()];
      for (int i = 0; i < dense.length; i++) {
        dense[i] = values.get(i);
      }
      rows.add(dense);
    }
    int width = rows.get(0).length;
    float[] data = new float[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, data, r * width, width);
    }
    float[] label = new float[labels.size()];
    for (int i = 0; i < label.length; i++) {
      label[i] = labels.get(i);
    }
    DMatrix matrix = new DMatrix(data, rows.size(), width, Float.NaN);
    matrix.setLabel(label);
    return new Matrix(matrix, label);
  }

  /** The test AUROC by the pipeline's own evaluator, on the natively predicted risks. */
  private static double auroc(SparkSession spark, float[] labels, float[][] risks) {
    List<Row> rows = new ArrayList<>(labels.length);
    for (int i = 0; i < labels.length; i++) {
      rows.add(RowFactory.create((int) labels[i], (double) risks[i][0]));
    }
    StructType schema = new StructType().add("label", DataTypes.IntegerType)
        .add("risk", DataTypes.DoubleType);
    return Trainer.auroc(spark.createDataFrame(rows, schema));
  }
}
