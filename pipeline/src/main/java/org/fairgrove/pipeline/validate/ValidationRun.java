package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Intervals;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.omop.Demographics;
import org.fairgrove.pipeline.report.ReportWriter;
import org.fairgrove.pipeline.score.Scoring;
import org.fairgrove.pipeline.train.OperatingPoints;
import org.fairgrove.pipeline.train.Registry;

/**
 * `fairgrove validate`: a model's held-out predictions evaluated set by set (the internal test
 * split, the temporal split, each external site; or predictions made elsewhere), the verdicts
 * decided across the whole report, then the audit rows (gold.validation_predictions), every
 * metric (ops.validation_metrics) and the governance report under
 * reports.dir/&lt;task&gt;/&lt;model id&gt;/.
 */
public final class ValidationRun {
  static final String KEY = Slices.KEY;
  static final String EVALUATION_SET = "evaluation_set";
  public static final String DEVELOPMENT = "development";
  /** The evaluation set of predictions made elsewhere. */
  public static final String PROVIDED = "provided";

  private ValidationRun() {}

  /**
   * What a run concluded and wrote.
   *
   * @param sets every evaluation set's metrics and verdicts (what the gate judges a first model by)
   * @param report what the report was rendered from (rendered again with the gate's decision)
   */
  public record Result(String runId, String modelId, Verdict decision,
      List<Finding> findings, List<String> paths, List<ValidationResult> sets,
      ValidationReport report) {
    /**
     * "19 checks in 17 slices flagged or for review": the report counts checks, one line per
     * slice follows here. "no group beyond the policy limits" when there is none.
     */
    public String findingsSummary() {
      if (findings.isEmpty()) {
        return "no group beyond the policy limits";
      }
      int checks = findings.stream().mapToInt(f -> f.verdict().findings().size()).sum();
      return Progress.count(checks, "check") + " in " + Progress.count(findings.size(), "slice")
          + " flagged or for review";
    }
  }

  /** A flagged or reviewed slice of one evaluation set. */
  public record Finding(String set, SliceVerdict verdict) {
    /**
     * "test race=Black: flag; oe_ratio 0.520 (0.380 to 0.710); auroc_gap vs White -0.113
     * (-0.197 to -0.0300)": as in the report, the reference group is named on the checks that
     * compare with it, not on the group's own (calibration).
     */
    public String describe() {
      StringBuilder out = new StringBuilder(set + " " + verdict.slice() + ": "
          + verdict.status().label());
      for (MetricRow check : verdict.findings()) {
        out.append("; ").append(Verdicts.check(check).configName())
            .append(verdict.slice().comparedWith(check.reference())
                ? " vs " + check.reference() : "")
            .append(check.operatingPoint() == null ? "" : " at " + check.operatingPoint())
            .append(' ').append(Intervals.of("%.3g", check.value(), check.ciLow(), check.ciHigh()));
      }
      return out.toString();
    }
  }

  /** Validates a registered model (the task's champion when modelId is null). */
  public static Result run(SparkSession spark, FairgroveConfig config, String modelId) {
    Held held = heldOut(spark, config, modelId);
    Progress.Stage stage = Progress.start("validate " + held.model().taskId() + " model "
        + held.model().modelId());
    try {
      Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
      Result result = evaluate(spark, config, held.model().taskId(),
          ReportFacts.model(lakehouse, held.model(), held.frozen()),
          ReportFacts.development(held.model(), held.features()), held.predicted(),
          held.points(), representativeness(held.features(), config));
      stage.done(0);
      return result;
    } finally {
      held.predicted().unpersist();
    }
  }

  /**
   * The verdicts a validation of the model would reach, set by set, without writing anything:
   * the procedure {@link #run} reports, for simulations of how often it flags.
   */
  public static List<ValidationResult> assess(SparkSession spark, FairgroveConfig config,
      String modelId) {
    Held held = heldOut(spark, config, modelId);
    try {
      return Verdicts.decide(validateSets(held.predicted(), held.points(), config),
          config.governance);
    } finally {
      held.predicted().unpersist();
    }
  }

  /**
   * Champion and challenger validated on the same held-out rows, each as its own report would
   * (verdicts decided across its sets), and per evaluation set the paired AUROC differences.
   */
  public record Paired(Registry.Entry champion, Registry.Entry challenger,
      List<ValidationResult> championSets, List<ValidationResult> challengerSets,
      Map<String, Map<SliceKey, PairedAuroc.Difference>> differences) {}

  /**
   * Both models scored on the held-out rows of gold.features (the champion in its own feature
   * dictionary when the challenger's differs), joined row by row, then validated.
   *
   * @param challengerSets the challenger's own validation of the same rows when it was just
   *     validated (its report), or null to validate it here
   */
  public static Paired assessPaired(SparkSession spark, FairgroveConfig config, String championId,
      String challengerId, List<ValidationResult> challengerSets) {
    Registry.Entry challenger = model(spark, config, challengerId);
    Registry.Entry champion = model(spark, config, championId);
    Dataset<Row> features = features(spark, config);
    Held challengerHeld = heldOut(config, challenger, features);
    Held championHeld = heldOut(config, champion,
        champion.dictionaryHash().equals(challenger.dictionaryHash()) ? features
            : withEvaluationSet(Features.inDictionary(spark, config, champion.dictionaryHash())));
    Dataset<Row> paired = championHeld.predicted().join(challengerHeld.predicted()
            .select(col("person_id"), col("index_date"),
                col(Slices.RISK).as(PairedAuroc.CHALLENGER_RISK)),
        new String[] {"person_id", "index_date"}).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<ValidationResult> championSets = Verdicts.decide(
          validateSets(paired, championHeld.points(), config), config.governance);
      List<ValidationResult> challengerValidated = challengerSets != null ? challengerSets
          : Verdicts.decide(validateSets(
              paired.withColumn(Slices.RISK, col(PairedAuroc.CHALLENGER_RISK)),
              challengerHeld.points(), config), config.governance);
      Map<String, Map<SliceKey, PairedAuroc.Difference>> differences = new LinkedHashMap<>();
      for (ValidationResult set : challengerValidated) {
        differences.put(set.name(), PairedAuroc.compare(
            paired.filter(col(EVALUATION_SET).equalTo(set.name())), KEY, config.governance));
      }
      return new Paired(champion, challenger, championSets, challengerValidated, differences);
    } finally {
      paired.unpersist();
      championHeld.predicted().unpersist();
      challengerHeld.predicted().unpersist();
    }
  }

  /** A registered model's held-out rows scored, with the operating points to judge them at. */
  private record Held(Registry.Entry model, Dataset<Row> features, Dataset<Row> predicted,
      List<OperatingPoints.Point> points, boolean frozen) {}

  private static Held heldOut(SparkSession spark, FairgroveConfig config, String modelId) {
    return heldOut(config, model(spark, config, modelId), features(spark, config));
  }

  /** The registered model (the task's champion when modelId is null), checked to be the task's. */
  private static Registry.Entry model(SparkSession spark, FairgroveConfig config,
      String modelId) {
    String taskId = config.task.requireId();
    Registry registry = new Registry(spark, new Lakehouse(spark, config.lakehouse.root()));
    Registry.Entry model = modelId != null ? registry.get(modelId)
        : registry.champion(taskId).orElseThrow(() -> Errors.noChampion(taskId));
    if (!model.taskId().equals(taskId)) {
      throw Errors.modelOfAnotherTask(model.modelId(), model.taskId(), taskId);
    }
    return model;
  }

  /** The task's rows of gold.features, each with its evaluation set. */
  private static Dataset<Row> features(SparkSession spark, FairgroveConfig config) {
    return withEvaluationSet(new Lakehouse(spark, config.lakehouse.root())
        .read(Tables.GOLD_FEATURES).filter(col("task_id").equalTo(config.task.requireId())));
  }

  /** test, temporal, or external:SITE for each external site. */
  private static Dataset<Row> withEvaluationSet(Dataset<Row> features) {
    return features.withColumn(EVALUATION_SET, when(col("split").equalTo(Splits.EXTERNAL),
        concat(lit(Splits.EXTERNAL + ":"), coalesce(col("site_id").cast("string"),
            lit(Demographics.UNKNOWN)))).otherwise(col("split")));
  }

  private static Held heldOut(FairgroveConfig config, Registry.Entry model,
      Dataset<Row> features) {
    List<OperatingPoints.Point> points = model.points();
    boolean frozen = !points.isEmpty();
    if (!frozen) {
      points = OperatingPoints.set(config.task.operatingPoints(), Scoring.predict(model,
          features.filter(col("split").equalTo(Splits.VALIDATION))));
    }
    // The bootstrap seeds each row's weights from this key: stable across runs for the same row.
    Dataset<Row> predicted = Scoring.predict(model, features.filter(col("split").isin(
            Splits.TEST, Splits.TEMPORAL, Splits.EXTERNAL)))
        .withColumn(KEY, xxhash64(col("person_id"), col("index_date")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Held(model, features, predicted, points, frozen);
  }

  /**
   * Validates predictions made elsewhere: one evaluation set, operating points set on the
   * predictions themselves, no development data to describe.
   */
  public static Result runOnPredictions(SparkSession spark, FairgroveConfig config,
      ProvidedPredictions provided) {
    String taskId = config.task.id() == null ? PROVIDED : config.task.id();
    Progress.Stage stage = Progress.start("validate predictions " + provided.path());
    Dataset<Row> predicted = provided.read(spark, config.governance)
        .withColumn(EVALUATION_SET, lit(PROVIDED))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<OperatingPoints.Point> points = OperatingPoints.set(config.task.operatingPoints(),
          predicted);
      ValidationReport.Model model = new ValidationReport.Model(provided.modelId(),
          provided.name(), provided.version(), provided.developer(), null, null, null, null,
          false, null, List.of(), true, "the provided predictions themselves (no development"
              + " split is available)");
      Result result = evaluate(spark, config, taskId, model, null, predicted, points,
          representativeness(predicted.withColumn("split", lit(PROVIDED)), config));
      stage.done(0);
      return result;
    } finally {
      predicted.unpersist();
    }
  }

  /** Every set validated, the verdicts decided across them, then the tables and the report. */
  private static Result evaluate(SparkSession spark, FairgroveConfig config, String taskId,
      ValidationReport.Model model, ValidationReport.Development development,
      Dataset<Row> predicted, List<OperatingPoints.Point> points,
      List<ValidationReport.Share> shares) {
    String runId = UUID.randomUUID().toString();
    Instant validatedAt = Instant.now();
    List<ValidationResult> decided = Verdicts.decide(validateSets(predicted, points, config),
        config.governance);
    if (decided.isEmpty()) {
      throw Errors.noHeldOutRows(taskId);
    }
    List<ValidationReport.EvaluatedSet> evaluated = new ArrayList<>();
    for (int i = 0; i < decided.size(); i++) {
      String set = decided.get(i).name();
      boolean external = set.startsWith(Splits.EXTERNAL + ":");
      evaluated.add(new ValidationReport.EvaluatedSet(set,
          external ? Splits.EXTERNAL : set, external ? set.substring(Splits.EXTERNAL.length()
              + 1) : null, decided.get(i),
          Curves.of(decided.get(i), config.governance.smallCellThreshold())));
    }
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    writeAudit(lakehouse, runId, model.modelId(), predicted, config);
    appendMetrics(lakehouse, runId, validatedAt, taskId, model.modelId(), evaluated);
    ValidationReport report = new ValidationReport(runId, validatedAt,
        new ValidationReport.Task(taskId, config.task.description(),
            config.task.timeAtRisk().startDay(), config.task.timeAtRisk().endDay()),
        model, development, config.governance, points, evaluated, shares,
        Trend.of(lakehouse, taskId, model.modelId(), config.governance));
    List<String> paths = ReportWriter.write(spark, config.reports.dir(), report);
    return new Result(runId, model.modelId(), report.decision(), findings(evaluated), paths,
        decided, report);
  }

  /** Each evaluation set validated on its own: test, temporal, then external sites by name. */
  private static List<ValidationResult> validateSets(Dataset<Row> predicted,
      List<OperatingPoints.Point> points, FairgroveConfig config) {
    List<String> sets = predicted.select(EVALUATION_SET).distinct().collectAsList().stream()
        .map(r -> r.getString(0)).sorted(ValidationRun::setOrder).toList();
    List<ValidationResult> results = new ArrayList<>();
    for (String set : sets) {
      results.add(FairnessValidation.validate(predicted.filter(col(EVALUATION_SET).equalTo(set)),
          KEY, config.governance, points, config.run.seed()).named(set));
    }
    return results;
  }

  /** test, temporal, then external sites by name. */
  static int setOrder(String a, String b) {
    List<String> order = List.of(Splits.TEST, Splits.TEMPORAL);
    int ia = order.indexOf(a) < 0 ? order.size() : order.indexOf(a);
    int ib = order.indexOf(b) < 0 ? order.size() : order.indexOf(b);
    return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
  }

  static List<Finding> findings(List<ValidationReport.EvaluatedSet> sets) {
    List<Finding> out = new ArrayList<>();
    for (ValidationReport.EvaluatedSet set : sets) {
      for (SliceVerdict v : set.result().verdicts()) {
        if (v.status() == Verdict.FLAG || v.status() == Verdict.REVIEW) {
          out.add(new Finding(set.name(), v));
        }
      }
    }
    return out;
  }

  /** The per-row predictions this run used, for an auditor (never a report or a log). */
  private static void writeAudit(Lakehouse lakehouse, String runId, String modelId,
      Dataset<Row> predicted, FairgroveConfig config) {
    List<Column> attributes = new ArrayList<>();
    for (String attribute : config.governance.attributes()) {
      attributes.add(lit(attribute));
      attributes.add(col(attribute).cast("string"));
    }
    lakehouse.write(Tables.GOLD_VALIDATION_PREDICTIONS, predicted.select(
        lit(runId).as("run_id"), lit(modelId).as("model_id"), col(EVALUATION_SET),
        col(KEY).as("row_key"), col("person_id"), col("index_date"), col(Slices.LABEL),
        col(Slices.RISK), map(attributes.toArray(Column[]::new)).as("attributes")));
  }

  /**
   * Each attribute group's share of the development (train) rows and of each evaluation set,
   * with the small-cell rule applied to the counts behind the shares (share x total = count).
   */
  static List<ValidationReport.Share> representativeness(Dataset<Row> rows,
      FairgroveConfig config) {
    List<String> attributes = config.governance.attributes();
    Dataset<Row> sets = rows.filter(col("split").notEqual(Splits.VALIDATION))
        .withColumn(EVALUATION_SET, when(col("split").equalTo(Splits.TRAIN), lit(DEVELOPMENT))
            .otherwise(col(EVALUATION_SET)));
    Map<String, Map<SliceKey, Long>> counts = new TreeMap<>();
    for (String attribute : attributes) {
      for (Row r : sets.groupBy(col(EVALUATION_SET), coalesce(col(attribute).cast("string"),
          lit(Demographics.UNKNOWN)).as("group")).agg(count(lit(1)).as("n")).collectAsList()) {
        counts.computeIfAbsent(r.getString(0), s -> new TreeMap<>())
            .put(new SliceKey(attribute, r.getString(1)), r.getLong(2));
      }
    }
    List<ValidationReport.Share> out = new ArrayList<>();
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
        sizes.add(MetricRow.of(slice, "n", n));
      });
      // The validation library's rule, complements included, on the group counts.
      for (MetricRow row : SmallCells.suppress(sizes, cells, threshold,
          config.governance.minimumGroupSize())) {
        out.add(new ValidationReport.Share(set, row.attribute(), row.group(),
            row.suppressed() || total == 0 || small(total, threshold) ? null
                : row.value() / total));
      }
    });
    return out;
  }

  /** Every metric of every set, appended so trends over runs can be queried. */
  private static void appendMetrics(Lakehouse lakehouse, String runId, Instant validatedAt,
      String taskId, String modelId, List<ValidationReport.EvaluatedSet> sets) {
    List<Row> out = new ArrayList<>();
    Timestamp at = Timestamp.from(validatedAt);
    for (ValidationReport.EvaluatedSet set : sets) {
      Map<SliceKey, String> status = new TreeMap<>();
      set.result().verdicts().forEach(v -> status.put(v.slice(), v.status().label()));
      for (MetricRow m : set.result().metrics()) {
        List<Object> values = new ArrayList<>(List.of(runId, at, taskId, modelId, set.name()));
        values.addAll(java.util.Arrays.asList(m.values()));
        values.add(status.get(m.slice()));
        out.add(RowFactory.create(values.toArray()));
      }
    }
    lakehouse.write(Tables.OPS_VALIDATION_METRICS, out);
  }
}
