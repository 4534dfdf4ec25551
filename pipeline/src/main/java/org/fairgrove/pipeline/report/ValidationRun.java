package org.fairgrove.pipeline.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.fairgrove.pipeline.core.SmallCells.small;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.omop.Demographics;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.Scoring;
import org.fairgrove.pipeline.validate.CurveBins;
import org.fairgrove.pipeline.validate.FairnessValidation;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.SliceKey;
import org.fairgrove.pipeline.validate.SliceVerdict;
import org.fairgrove.pipeline.validate.SmallCells;
import org.fairgrove.pipeline.validate.ValidationResult;

/**
 * `fairgrove validate`: a registered model evaluated on its task's held-out rows of gold.features,
 * each evaluation set on its own (the internal test split, the temporal split, each external
 * site), with every metric appended to ops.validation_metrics and the governance report written
 * under reports.dir/&lt;task&gt;/&lt;model id&gt;/.
 */
public final class ValidationRun {
  /** Equal-width risk bins the curves start from (pooled further for small cells). */
  static final int CURVE_BINS = 100;
  static final String KEY = "row_key";
  static final String EVALUATION_SET = "evaluation_set";
  static final String DEVELOPMENT = "development";

  private ValidationRun() {}

  /** One evaluation set's results. */
  record EvaluatedSet(String name, String split, String siteId, ValidationResult result,
      Map<SliceKey, List<CurveBins.Bin>> curveBins) {}

  /** An attribute group's share of one set, null where its count is suppressed. */
  record Share(String set, String attribute, String group, Double share) {}

  /** What a run wrote, and the flags to print. */
  public record Result(String runId, String modelId, List<String> flags, List<String> paths) {}

  public static Result run(SparkSession spark, FairgroveConfig config, String modelId) {
    String taskId = config.task.requireId();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Registry registry = new Registry(spark, lakehouse);
    Registry.Entry model = modelId != null ? registry.get(modelId)
        : registry.champion(taskId).orElseThrow(() -> Errors.noChampion(taskId));
    if (!model.taskId().equals(taskId)) {
      throw Errors.modelOfAnotherTask(model.modelId(), model.taskId(), taskId);
    }
    String runId = UUID.randomUUID().toString();
    Instant validatedAt = Instant.now();
    Progress.Stage stage = Progress.start("validate " + taskId + " model " + model.modelId());

    Dataset<Row> features = lakehouse.read(Tables.GOLD_FEATURES, "features --task " + taskId)
        .filter(col("task_id").equalTo(taskId))
        .withColumn(EVALUATION_SET, when(col("split").equalTo(Splits.EXTERNAL),
            concat(lit(Splits.EXTERNAL + ":"), coalesce(col("site_id").cast("string"),
                lit(Demographics.UNKNOWN)))).otherwise(col("split")));
    Dataset<Row> heldOut = features.filter(col("split").isin(Splits.TEST, Splits.TEMPORAL,
        Splits.EXTERNAL));
    // The bootstrap seeds each row's weights from this key: stable across runs for the same row.
    Dataset<Row> predicted = Scoring.predict(model, heldOut)
        .withColumn(KEY, xxhash64(col("person_id"), col("index_date")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<String> sets = predicted.select(EVALUATION_SET).distinct().collectAsList().stream()
          .map(r -> r.getString(0)).sorted(ValidationRun::setOrder).toList();
      if (sets.isEmpty()) {
        throw Errors.noHeldOutRows(taskId);
      }
      List<EvaluatedSet> evaluated = new ArrayList<>();
      long rows = 0;
      for (String set : sets) {
        Dataset<Row> setRows = predicted.filter(col(EVALUATION_SET).equalTo(set));
        ValidationResult result = FairnessValidation.validate(setRows, KEY, config);
        evaluated.add(new EvaluatedSet(set, set.startsWith(Splits.EXTERNAL) ? Splits.EXTERNAL
            : set, set.startsWith(Splits.EXTERNAL) ? set.substring(Splits.EXTERNAL.length() + 1)
            : null, result, curves(setRows, result, config)));
        rows += result.metrics().stream()
            .filter(m -> m.slice().overall() && m.metric().equals("n") && m.value() != null)
            .mapToLong(m -> m.value().longValue()).sum();
      }
      appendMetrics(spark, lakehouse, runId, validatedAt, model, evaluated);
      List<Share> shares = representativeness(features, config);
      ReportFacts facts = ReportFacts.read(lakehouse, model, features);
      List<String> paths = ReportWriter.write(spark, config, runId, validatedAt, model, facts,
          evaluated, shares);
      stage.done(rows);
      return new Result(runId, model.modelId(), flags(evaluated), paths);
    } finally {
      predicted.unpersist();
    }
  }

  /** test, temporal, then external sites by name. */
  private static int setOrder(String a, String b) {
    List<String> order = List.of(Splits.TEST, Splits.TEMPORAL);
    int ia = order.indexOf(a) < 0 ? order.size() : order.indexOf(a);
    int ib = order.indexOf(b) < 0 ? order.size() : order.indexOf(b);
    return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
  }

  /** "test race=Black: oe_ratio, auroc_gap" for each flagged slice. */
  static List<String> flags(List<EvaluatedSet> sets) {
    List<String> out = new ArrayList<>();
    for (EvaluatedSet set : sets) {
      for (SliceVerdict v : set.result().verdicts()) {
        if (v.status().equals(SliceVerdict.FLAG)) {
          out.add(set.name() + " " + v.slice() + " (vs " + v.reference() + "): "
              + String.join(", ", v.reasons()));
        }
      }
    }
    return out;
  }

  /** Curve bins of the slices whose counts are shown (a suppressed slice gets none). */
  private static Map<SliceKey, List<CurveBins.Bin>> curves(Dataset<Row> setRows,
      ValidationResult result, FairgroveConfig config) {
    Map<SliceKey, List<CurveBins.Bin>> bySlice = new TreeMap<>();
    for (CurveBins.Bin bin : CurveBins.compute(setRows, KEY, config.governance, CURVE_BINS)) {
      bySlice.computeIfAbsent(bin.slice(), k -> new ArrayList<>()).add(bin);
    }
    Map<SliceKey, List<CurveBins.Bin>> out = new TreeMap<>();
    bySlice.forEach((slice, bins) -> {
      boolean shown = result.metrics(slice).stream()
          .anyMatch(m -> m.metric().equals("n") && !m.suppressed());
      if (shown) {
        out.put(slice, bins);
      }
    });
    return out;
  }

  /**
   * Each attribute group's share of the development (train) rows and of each evaluation set,
   * with the small-cell rule applied to the counts behind the shares (share x total = count).
   */
  static List<Share> representativeness(Dataset<Row> features, FairgroveConfig config) {
    List<String> attributes = config.governance.attributes();
    Dataset<Row> rows = features.filter(col("split").notEqual(Splits.VALIDATION))
        .withColumn(EVALUATION_SET, when(col("split").equalTo(Splits.TRAIN), lit(DEVELOPMENT))
            .otherwise(col(EVALUATION_SET)));
    Map<String, Map<SliceKey, Long>> counts = new TreeMap<>();
    for (String attribute : attributes) {
      for (Row r : rows.groupBy(col(EVALUATION_SET), coalesce(col(attribute).cast("string"),
          lit(Demographics.UNKNOWN)).as("group")).agg(count(lit(1)).as("n")).collectAsList()) {
        counts.computeIfAbsent(r.getString(0), s -> new TreeMap<>())
            .put(new SliceKey(attribute, r.getString(1)), r.getLong(2));
      }
    }
    List<Share> out = new ArrayList<>();
    int threshold = config.governance.smallCellThreshold();
    counts.forEach((set, byGroup) -> {
      long total = byGroup.entrySet().stream()
          .filter(e -> e.getKey().attribute().equals(attributes.get(0)))
          .mapToLong(Map.Entry::getValue).sum();
      Map<SliceKey, SmallCells.CellCounts> cells = new LinkedHashMap<>();
      List<MetricRow> sizes = new ArrayList<>();
      cells.put(SliceKey.OVERALL_SLICE, new SmallCells.CellCounts(total, 0, Map.of()));
      byGroup.forEach((slice, n) -> {
        cells.put(slice, new SmallCells.CellCounts(n, 0, Map.of()));
        sizes.add(new MetricRow(slice.attribute(), slice.group(), "n", null, (double) n, null,
            null, null, null, null, false));
      });
      // The validation library's rule, complements included, on the group counts.
      for (MetricRow row : SmallCells.suppress(sizes, cells, threshold)) {
        out.add(new Share(set, row.attribute(), row.group(),
            row.suppressed() || total == 0 || small(total, threshold) ? null
                : row.value() / total));
      }
    });
    return out;
  }

  /** The run's identity, then the metric row's own columns, then the slice's verdict. */
  private static final StructType METRICS_SCHEMA = metricsSchema();

  private static StructType metricsSchema() {
    StructType schema = new StructType()
        .add("run_id", DataTypes.StringType, false)
        .add("validated_at", DataTypes.TimestampType, false)
        .add("task_id", DataTypes.StringType, false)
        .add("model_id", DataTypes.StringType, false)
        .add(EVALUATION_SET, DataTypes.StringType, false);
    for (StructField field : MetricRow.SCHEMA.fields()) {
      schema = schema.add(field);
    }
    return schema.add("status", DataTypes.StringType, true);
  }

  /** Every metric of every set, appended so trends over runs can be queried. */
  private static void appendMetrics(SparkSession spark, Lakehouse lakehouse, String runId,
      Instant validatedAt, Registry.Entry model, List<EvaluatedSet> sets) {
    List<Row> out = new ArrayList<>();
    Timestamp at = Timestamp.from(validatedAt);
    for (EvaluatedSet set : sets) {
      Map<SliceKey, String> status = new TreeMap<>();
      set.result().verdicts().forEach(v -> status.put(v.slice(), v.status()));
      for (MetricRow m : set.result().metrics()) {
        List<Object> values = new ArrayList<>(List.of(runId, at, model.taskId(),
            model.modelId(), set.name()));
        values.addAll(java.util.Arrays.asList(m.values()));
        values.add(status.get(m.slice()));
        out.add(RowFactory.create(values.toArray()));
      }
    }
    spark.createDataFrame(out, METRICS_SCHEMA).write().format("delta").mode("append")
        .save(lakehouse.location(Tables.OPS_VALIDATION_METRICS));
  }

  /** Index-date years of a set: min and max, for the model card. */
  static int[] years(Dataset<Row> rows) {
    Row r = rows.agg(min(col("index_date")), max(col("index_date"))).first();
    if (r.isNullAt(0)) {
      return null;
    }
    return new int[] {r.getDate(0).toLocalDate().getYear(), r.getDate(1).toLocalDate().getYear()};
  }
}
