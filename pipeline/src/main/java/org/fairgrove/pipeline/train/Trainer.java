package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.ml.functions.vector_to_array;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Hashing;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * Trains a task's model on gold.features: a seeded search over the configured grid (each trial
 * trained on the training split and scored on the validation split), optional recalibration,
 * AUROC on every split, then the model files, its feature importance and a registry row.
 */
public final class Trainer {
  private static final List<Table> INPUTS =
      List.of(Tables.GOLD_COHORT, Tables.GOLD_FEATURES, Tables.GOLD_FEATURE_DICTIONARY);

  private Trainer() {}

  /** What a training run produced. */
  /**
   * @param seconds the whole stage, reading rows and saving included
   * @param fitSeconds the engine fitting models, summed over the search's trials
   */
  public record Result(String modelId, String engine, Map<String, Double> auroc, int rounds,
      Engine.Trial chosen, double seconds, double fitSeconds) {}

  public static Result train(SparkSession spark, FairgroveConfig config) {
    long start = System.nanoTime();
    TaskSettings task = config.task;
    String taskId = task.requireId();
    TaskSettings.Train settings = task.train();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Engine engine = Engine.of(settings.engine());
    Progress.Stage stage = Progress.start("train " + taskId + " (" + engine.name() + ")");

    int partitions = engine.partitions(spark, settings);
    Dataset<Row> rows = inKeyOrder(rows(lakehouse, taskId), partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    String dictionaryHash = singleDictionary(rows, taskId);
    Map<String, long[]> classCounts = classCounts(rows);
    for (String split : List.of(Splits.TRAIN, Splits.VALIDATION)) {
      long[] counts = classCounts.getOrDefault(split, new long[2]);
      if (counts[1] == 0 || counts[0] == 0) {
        throw Errors.splitWithoutClass(taskId, split, counts[1] == 0 ? "events" : "non-events");
      }
    }
    long[] training = classCounts.get(Splits.TRAIN);
    double positiveWeight = settings.classWeighting() ? (double) training[0] / training[1] : 1.0;
    Dataset<Row> validation = rows.filter(col("split").equalTo(Splits.VALIDATION));
    Engine.TrainingSet trainingSet = new Engine.TrainingSet(
        rows.filter(col("split").equalTo(Splits.TRAIN)), validation, training[1], training[0],
        positiveWeight, partitions);

    long seed = config.run.seed();
    ObjectMapper json = new ObjectMapper();
    ArrayNode trace = json.createArrayNode();
    Engine.Model best = null;
    Engine.Trial chosen = null;
    double bestAuroc = Double.NEGATIVE_INFINITY;
    double fitSeconds = 0;
    for (Engine.Trial trial : trials(settings, seed)) {
      long fitStart = System.nanoTime();
      Engine.Model model = engine.fit(trainingSet, trial, settings, seed);
      double trialSeconds = (System.nanoTime() - fitStart) / 1e9;
      fitSeconds += trialSeconds;
      double auroc = auroc(model.predict(validation, false));
      trace.add(json.createObjectNode().put("max_depth", trial.maxDepth())
          .put("learning_rate", trial.learningRate())
          .put("min_child_weight", trial.minChildWeight())
          .put("rounds", model.rounds()).put("validation_auroc", auroc)
          .put("fit_seconds", Math.round(trialSeconds * 10) / 10.0));
      Progress.info("train trial depth %d, rate %.3g, min child %.3g: validation AUROC %.4f"
          + " (%d trees)", trial.maxDepth(), trial.learningRate(), trial.minChildWeight(), auroc,
          model.rounds());
      if (auroc > bestAuroc) {
        bestAuroc = auroc;
        best = model;
        chosen = trial;
      }
    }

    // The chosen model scores every row once; recalibration, operating points and the AUROCs
    // read those risks.
    Dataset<Row> predicted = best.predict(rows, false).select("split", "label", "risk")
        .persist(StorageLevel.MEMORY_AND_DISK());
    Recalibration recalibration = settings.recalibrate()
        ? Recalibration.fit(predicted.filter(col("split").equalTo(Splits.VALIDATION)))
        : positiveWeight != 1.0 ? Recalibration.priorCorrection(positiveWeight) : null;
    Dataset<Row> scored = Recalibration.apply(predicted, recalibration);
    List<OperatingPoints.Point> points = OperatingPoints.set(task.operatingPoints(),
        scored.filter(col("split").equalTo(Splits.VALIDATION)));
    Map<String, Double> aurocBySplit = new LinkedHashMap<>();
    for (String split : List.of(Splits.TRAIN, Splits.VALIDATION, Splits.TEST, Splits.TEMPORAL,
        Splits.EXTERNAL)) {
      long[] counts = classCounts.getOrDefault(split, new long[2]);
      if (counts[0] > 0 && counts[1] > 0) {
        aurocBySplit.put(split, auroc(scored.filter(col("split").equalTo(split))));
      }
    }
    predicted.unpersist();

    ObjectNode params = json.createObjectNode().put("engine", engine.name())
        .put("max_depth", chosen.maxDepth()).put("learning_rate", chosen.learningRate())
        .put("min_child_weight", chosen.minChildWeight()).put("rounds", best.rounds())
        .put("max_rounds", settings.rounds())
        .put("early_stopping_rounds", settings.earlyStoppingRounds())
        .put("positive_weight", positiveWeight).put("partitions", partitions)
        .put("task_cpus", spark.sparkContext().getConf().getInt("spark.task.cpus", 1));
    ObjectNode metrics = json.createObjectNode();
    ObjectNode aurocNode = metrics.putObject("auroc");
    aurocBySplit.forEach(aurocNode::put);
    String fingerprint = fingerprint(rows, taskId);
    String inputs = inputs(lakehouse, fingerprint, json);
    String configHash = Hashing.sha256(config.render());
    String codeVersion = codeVersion();
    String modelId = modelId(config, engine.name(), partitions, codeVersion, fingerprint);

    Registry registry = new Registry(spark, lakehouse);
    String path = registry.modelPath(modelId);
    best.save(path);
    writeImportance(lakehouse, modelId, taskId, dictionaryHash, best.gainBySlot());
    double seconds = (System.nanoTime() - start) / 1e9;
    registry.register(new Registry.Entry(modelId, taskId, engine.name(), Registry.CANDIDATE,
        params.toString(), trace.toString(),
        recalibration == null ? null : recalibration.toJson(), OperatingPoints.toJson(points),
        dictionaryHash, inputs, codeVersion, configHash, seed, metrics.toString(), seconds,
        path));
    rows.unpersist();
    stage.done(training[0] + training[1]);
    return new Result(modelId, engine.name(), aurocBySplit, best.rounds(), chosen, seconds,
        fitSeconds);
  }

  /** The task's feature rows, the columns training reads. */
  static Dataset<Row> rows(Lakehouse lakehouse, String taskId) {
    return lakehouse.read(Tables.GOLD_FEATURES).filter(col("task_id").equalTo(taskId))
        .select("person_id", "index_date", "split", "label", Features.FEATURES_COLUMN,
            Features.DICTIONARY_HASH_COLUMN);
  }

  /**
   * The rows hash-partitioned by their key and sorted by it within each partition. gold.features
   * is written by a shuffle, so each build stores the same rows in another order, and the
   * engines sketch quantiles, sample and sum in the order they read rows: without a fixed order
   * the same rows and seed gave another model under the same id.
   */
  static Dataset<Row> inKeyOrder(Dataset<Row> rows, int partitions) {
    return rows.repartition(partitions, col("person_id"), col("index_date"))
        .sortWithinPartitions("person_id", "index_date");
  }

  /** The configured number of distinct grid points, drawn in a seeded order. */
  static List<Engine.Trial> trials(TaskSettings.Train settings, long seed) {
    List<Engine.Trial> grid = new ArrayList<>();
    for (int depth : settings.maxDepth()) {
      for (double rate : settings.learningRate()) {
        for (double minChild : settings.minChildWeight()) {
          grid.add(new Engine.Trial(depth, rate, minChild));
        }
      }
    }
    Collections.shuffle(grid, new Random(seed));
    return grid.subList(0, Math.min(settings.searchTrials(), grid.size()));
  }

  /** Exact AUROC of (label, risk) rows; no binning. */
  public static double auroc(Dataset<Row> scored) {
    return new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("risk")
        .setMetricName("areaUnderROC").setNumBins(0)
        .evaluate(scored.withColumn("label", col("label").cast("double")));
  }

  private static String singleDictionary(Dataset<Row> rows, String taskId) {
    List<Row> hashes = rows.select(Features.DICTIONARY_HASH_COLUMN).distinct().limit(2)
        .collectAsList();
    if (hashes.isEmpty()) {
      throw Errors.noTrainingRows(taskId);
    }
    if (hashes.size() > 1) {
      throw Errors.mixedFeatureDictionary(taskId);
    }
    return hashes.get(0).getString(0);
  }

  /** Non-events and events per split. */
  private static Map<String, long[]> classCounts(Dataset<Row> rows) {
    Map<String, long[]> counts = new HashMap<>();
    for (Row row : rows.groupBy("split").agg(count(lit(1)), sum("label")).collectAsList()) {
      long events = row.isNullAt(2) ? 0 : row.getLong(2);
      counts.put(row.getString(0), new long[] {row.getLong(1) - events, events});
    }
    return counts;
  }

  /**
   * A model's id: a hash of what determines the model (the task's settings, the seed, the
   * engine, the partitions it learned from, the code and the content of its training rows), so a
   * model id means one model. It
   * leaves out where things are stored and the Delta versions, which differ between lakehouses
   * holding the same data (and coincide, all 0, between fresh lakehouses holding different data).
   */
  static String modelId(FairgroveConfig config, String engine, int partitions,
      String codeVersion, String fingerprint) {
    String taskId = config.task.requireId();
    return taskId + "-" + engine + "-" + Hashing.sha256(String.join("|", config.render("task"),
        Long.toString(config.run.seed()), engine, Integer.toString(partitions), codeVersion,
        fingerprint)).substring(0, 12);
  }

  /**
   * The content of the task's feature rows: their count and two order-free sums of row hashes
   * (over person, index date, split, label, feature values and dictionary).
   */
  static String fingerprint(Dataset<Row> rows, String taskId) {
    Column[] content = {col("person_id"), col("index_date"), col("split"), col("label"),
        vector_to_array(col(Features.FEATURES_COLUMN), "float64"),
        col(Features.DICTIONARY_HASH_COLUMN)};
    // Exact sums (no 64-bit overflow): 38 digits hold 10^19 rows of 64-bit hashes.
    Row sums = rows.agg(count(lit(1)),
        sum(xxhash64(content).cast("decimal(38,0)")), sum(hash(content).cast("long")))
        .first();
    return taskId + ":" + sums.get(0) + ":" + sums.get(1) + ":" + sums.get(2);
  }

  /** What the model was trained on, for the registry: each input's Delta version, the content. */
  private static String inputs(Lakehouse lakehouse, String fingerprint,
      ObjectMapper json) {
    ObjectNode inputs = json.createObjectNode();
    for (Table table : INPUTS) {
      inputs.putObject(table.toString()).put("delta_version", lakehouse.version(table));
    }
    inputs.put("features_fingerprint", fingerprint);
    return inputs.toString();
  }

  private static void writeImportance(Lakehouse lakehouse, String modelId, String taskId,
      String dictionaryHash, Map<Integer, Double> gain) {
    Map<Integer, String> names = Features.slotNames(lakehouse, taskId, dictionaryHash);
    double total = gain.values().stream().mapToDouble(Double::doubleValue).sum();
    List<Row> rows = new ArrayList<>();
    gain.forEach((slot, value) -> rows.add(RowFactory.create(modelId, slot,
        names.getOrDefault(slot, "slot_" + slot), value, total > 0 ? value / total : 0.0)));
    lakehouse.write(Tables.REGISTRY_FEATURE_IMPORTANCE, rows, modelId);
  }

  private static String codeVersion() {
    String version = Trainer.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
