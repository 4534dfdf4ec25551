package org.fairgrove.pipeline.train;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.Booster;
import ml.dmlc.xgboost4j.scala.XGBoost;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.fairgrove.pipeline.config.EngineKind;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.lakehouse.SparkSessions;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * XGBoost4J-Spark: hist trees, NaN as missing (XGBoost learns where missing values go), early
 * stopping on the validation split. Every task slot trains by default: one worker per slot, each
 * a Spark task of spark.task.cpus threads, which XGBoost4J-Spark takes as its nthread. Given its
 * rows in as many partitions as workers, in a fixed order, the same worker count gives the same
 * model bit for bit, on local Spark or a cluster.
 */
final class XGBoostEngine implements Engine {
  private static final String CONTRIBUTIONS = "contributions";
  private static final String BOOSTER_FILE = "booster.ubj";
  /** One call per row; through an array column it was two conversions and twice the time. */
  private static final UserDefinedFunction TO_DENSE = udf(
      (UDF1<Vector, Vector>) v -> v == null ? null : v.toDense(), new VectorUDT());

  @Override
  public EngineKind kind() {
    return EngineKind.XGBOOST;
  }

  @Override
  public boolean explains() {
    return true;
  }

  /** One partition per worker: XGBoost then keeps their order rather than repartitioning. */
  @Override
  public int partitions(SparkSession spark, TaskSettings.Train settings) {
    return workers(spark, settings);
  }

  /**
   * The configured workers, or one per task slot. Spark runs a barrier stage only when all its
   * tasks fit in the slots at once, so asking for more fails here rather than waiting there.
   */
  private static int workers(SparkSession spark, TaskSettings.Train settings) {
    int slots = SparkSessions.taskSlots(spark);
    int workers = settings.workers() == 0 ? slots : settings.workers();
    if (workers < 1 || workers > slots) {
      throw Errors.tooFewTaskSlots(Math.max(1, workers), slots);
    }
    return workers;
  }

  @Override
  public Model fit(TrainingSet rows, Trial trial, TaskSettings.Train settings, long seed) {
    XGBoostClassifier classifier = new XGBoostClassifier();
    classifier.setFeaturesCol("features");
    classifier.setLabelCol("label");
    classifier.setObjective("binary:logistic");
    classifier.setTreeMethod("hist");
    classifier.setMissing(Float.NaN);
    classifier.setNumWorkers(rows.partitions());
    classifier.setNumRound(settings.rounds());
    classifier.setMaxDepth(trial.maxDepth());
    classifier.setEta(trial.learningRate());
    classifier.setMinChildWeight(trial.minChildWeight());
    classifier.setScalePosWeight(rows.positiveWeight());
    classifier.setSeed(seed);
    classifier.setVerbosity(0);
    if (settings.earlyStoppingRounds() > 0) {
      // XGBoost4J-Spark evaluates its training rows at every round as well, whatever reads the
      // result: the AUROC, a sort of those rows per round, only when it decides the stop. Left
      // unset, the metric is XGBoost's default log loss, one cheap pass.
      classifier.setEvalMetric("auc");
      classifier.setNumEarlyStoppingRounds(settings.earlyStoppingRounds());
      classifier.setEvalDataset(rows.validation());
    }
    return new Fitted(classifier.fit(rows.train()));
  }

  /**
   * Reads the booster saved by {@link Fitted#save}. (MLlib persistence of XGBoost models is
   * broken on Spark 4.1: xgboost4j-spark 3.1.1 was built against json4s 3.x, Spark ships 4.x,
   * and writing the model's param metadata fails with NoSuchMethodError. The booster in
   * XGBoost's own UBJSON format is the whole model.)
   */
  @Override
  public Model load(String path) {
    Path file = new Path(path, BOOSTER_FILE);
    try (InputStream in = file.getFileSystem(hadoopConf()).open(file)) {
      Booster booster = XGBoost.loadModel(in);
      XGBoostClassificationModel model =
          new XGBoostClassificationModel("xgboost-" + path.hashCode(), 2, booster, Option.empty());
      model.setFeaturesCol("features");
      model.setMissing(Float.NaN);
      return new Fitted(model);
    } catch (IOException | XGBoostError e) {
      throw new UncheckedIOException(new IOException("Loading the model from " + path
          + " failed", e));
    }
  }

  /**
   * XGBoost4J-Spark reads an entry left out of a sparse vector as zero when it trains (it makes
   * every row dense itself, so training takes the rows as they are) but as missing when it
   * predicts, so a model would score other values than it learnt from. Dense rows say what the
   * features mean: a count left out is 0, a statistic with no value is an explicit NaN.
   */
  private static Dataset<Row> dense(Dataset<Row> rows) {
    return rows.withColumn("features", TO_DENSE.apply(col("features")));
  }

  private static Configuration hadoopConf() {
    return SparkSession.active().sparkContext().hadoopConfiguration();
  }

  private record Fitted(XGBoostClassificationModel model) implements Model {
    @Override
    public Dataset<Row> predict(Dataset<Row> rows, boolean withContributions) {
      XGBoostClassificationModel copy = model.copy(model.extractParamMap());
      if (withContributions) {
        copy.setContribPredictionCol(CONTRIBUTIONS);
      }
      Dataset<Row> scored = copy.transform(dense(rows))
          .withColumn("risk", vector_to_array(col("probability"), "float64").getItem(1))
          .drop("probability", "rawPrediction", "prediction");
      return withContributions
          ? scored.withColumn(CONTRIBUTIONS, vector_to_array(col(CONTRIBUTIONS), "float64"))
          : scored;
    }

    @Override
    public void save(String path) {
      Path file = new Path(path, BOOSTER_FILE);
      try {
        FileSystem fs = file.getFileSystem(hadoopConf());
        fs.delete(new Path(path), true);
        try (OutputStream out = fs.create(file, true)) {
          out.write(model.nativeBooster().toByteArray("ubj"));
        }
      } catch (IOException | XGBoostError e) {
        throw new UncheckedIOException(new IOException("Saving the model to " + path
            + " failed", e));
      }
    }

    @Override
    public Map<Integer, Double> gainBySlot() {
      Map<Integer, Double> gain = new HashMap<>();
      try {
        // Named f0..fN-1 so each key gives back its slot (a null name list crashes the JNI call).
        String[] names = java.util.stream.IntStream
            .range(0, (int) model.nativeBooster().getNumFeature())
            .mapToObj(slot -> "f" + slot).toArray(String[]::new);
        CollectionConverters.asJava(model.nativeBooster().getScore(names, "total_gain"))
            .forEach((feature, value) ->
                gain.put(Integer.parseInt(feature.substring(1)), (Double) value));
      } catch (XGBoostError e) {
        throw new IllegalStateException("Reading feature importance from XGBoost failed", e);
      }
      return gain;
    }

    @Override
    public int rounds() {
      return (int) model.nativeBooster().getNumBoostedRound();
    }
  }
}
