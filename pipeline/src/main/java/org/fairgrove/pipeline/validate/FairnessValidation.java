package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.config.OperatingPointKind;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.train.OperatingPoints;
import org.fairgrove.pipeline.validate.Calibration.CalibrationStats;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;
import org.fairgrove.pipeline.validate.Disparities.Disparity;
import org.fairgrove.pipeline.validate.RankMetrics.RankStats;

/**
 * Subgroup fairness validation of a model's predictions: per-slice performance, calibration and
 * decision metrics, disparities against each slice's reference group with CIs, and the
 * governance policy's checks (their verdicts come from {@link Verdicts}, across a report).
 *
 * <p>Input columns: {@code label} (0/1), {@code risk} (0..1), a stable row key (long; it seeds
 * the bootstrap weights, so it must identify the row across runs) and every attribute in
 * governance.attributes. Passes over the data: one building the distinct-value table (counts per
 * slice and risk); the sums, the DeLong AUROC and the calibration fits (one aggregation per
 * Newton iteration, shared by the three models) and errors all run on that table, whose size
 * is the number of distinct (slice, risk) pairs; then one pass for the bootstrap. Each row is
 * repeated once per dimension (overall, attributes, intersections), a constant factor: cost is
 * linear in rows.
 */
public final class FairnessValidation {
  /**
   * Shares of the highest risks the ROC and calibration curves are drawn at: fine at the top,
   * where a low-prevalence task's events are, then every 5%.
   */
  static final List<Double> CURVE_SHARES = curveShares();
  /** Points of the smoothed calibration curve. */
  static final int SMOOTH_POINTS = 25;

  private FairnessValidation() {}

  private static List<Double> curveShares() {
    List<Double> shares = new ArrayList<>(List.of(0.002, 0.005, 0.01, 0.02, 0.03, 0.04));
    for (int percent = 5; percent < 100; percent += 5) {
      shares.add(percent / 100.0);
    }
    return List.copyOf(shares);
  }

  public static ValidationResult validate(Dataset<Row> predictions, String keyColumn,
      GovernanceSettings policy, List<OperatingPoints.Point> points, long seed) {
    Slices.checkColumns(predictions, keyColumn, policy);
    Dataset<Row> labelled = Slices.labelled(predictions, keyColumn, policy).cache();
    Dataset<Row> perValue = RankMetrics.perValue(Slices.exploded(labelled, policy)).cache();
    try {
      List<Double> edges = OperatingPoints.set(new TaskSettings.OperatingPoints(
              OperatingPointKind.SELECTION_RATE, CURVE_SHARES), labelled).stream()
          .map(OperatingPoints.Point::threshold).distinct().toList();
      TreeSet<Double> thresholds = new TreeSet<>(policy.netBenefitThresholds());
      thresholds.addAll(edges);
      points.forEach(p -> thresholds.add(p.threshold()));
      Progress.Stage phase = Progress.start("validate: counts");
      Map<SliceKey, SliceCounts> counts = CountMetrics.compute(perValue,
          new ArrayList<>(thresholds));
      phase.done(counts.size());
      // Before the expensive passes: a configured reference group that is absent fails now.
      Map<SliceKey, SliceKey> references = references(counts, policy);
      if (!counts.containsKey(SliceKey.OVERALL_SLICE)) {
        throw Errors.noPredictions();
      }
      phase = Progress.start("validate: AUROC (DeLong) and AP");
      Map<SliceKey, RankStats> ranks = RankMetrics.compute(perValue);
      phase.done(ranks.size());
      phase = Progress.start("validate: calibration fits");
      Map<SliceKey, CalibrationStats> calibration = Calibration.compute(perValue, counts);
      phase.done(calibration.size());
      Map<SliceKey, SliceResult> slices = new TreeMap<>();
      for (SliceKey key : counts.keySet()) {
        slices.put(key, new SliceResult(key, counts.get(key), ranks.get(key),
            calibration.get(key), points));
      }

      List<SliceKey> ordered = new ArrayList<>(slices.keySet());
      Map<SliceKey, Integer> index = new HashMap<>();
      for (int i = 0; i < ordered.size(); i++) {
        index.put(ordered.get(i), i);
      }
      phase = Progress.start("validate: Poisson bootstrap, "
          + policy.bootstrapReplicates() + " replicates");
      PoissonBootstrap.Replicates replicates = PoissonBootstrap.run(labelled,
          plan(policy, points, seed, ordered, index, calibration));
      phase.done(ordered.size());
      List<Disparity> disparities = Disparities.compute(slices, index, references, replicates,
          points);

      List<MetricRow> rows = new ArrayList<>();
      slices.values().forEach(s -> rows.addAll(MetricRows.of(s, policy.netBenefitThresholds(),
          edges)));
      disparities.forEach(d -> rows.addAll(MetricRows.of(d)));
      rows.addAll(Checks.of(slices, references, disparities, policy));
      Map<SliceKey, SmallCells.CellCounts> cells = new TreeMap<>();
      counts.forEach((k, c) -> cells.put(k, MetricRows.cells(c)));
      List<MetricRow> shown = SmallCells.suppress(rows, cells, policy.smallCellThreshold(),
          policy.minimumGroupSize());
      return new ValidationResult(null, shown, sliceInfo(slices, references, policy), points,
          smoothCurves(slices, shown), List.of());
    } finally {
      perValue.unpersist();
      labelled.unpersist();
    }
  }

  private static Map<SliceKey, ValidationResult.SliceInfo> sliceInfo(
      Map<SliceKey, SliceResult> slices, Map<SliceKey, SliceKey> references,
      GovernanceSettings policy) {
    Map<SliceKey, ValidationResult.SliceInfo> out = new TreeMap<>();
    SliceResult overall = slices.get(SliceKey.OVERALL_SLICE);
    slices.forEach((key, slice) -> {
      SliceKey reference = references.get(key);
      out.put(key, new ValidationResult.SliceInfo(reference == null ? null : reference.group(),
          Checks.insufficient(slice, policy), reference == null ? Double.NaN
              : Checks.minimumDetectableAurocGap(slice, slices.get(reference), overall)));
    });
    return out;
  }

  /** The smoothed calibration curve of every slice whose counts are shown. */
  private static Map<SliceKey, List<double[]>> smoothCurves(Map<SliceKey, SliceResult> slices,
      List<MetricRow> shown) {
    Map<SliceKey, List<double[]>> out = new TreeMap<>();
    for (MetricRow row : shown) {
      if (row.metric().equals("n") && !row.suppressed()) {
        Calibration.Smooth smooth = slices.get(row.slice()).calibration().smooth();
        if (smooth != null) {
          out.put(row.slice(), smooth.curve(SMOOTH_POINTS));
        }
      }
    }
    return out;
  }

  /**
   * The reference of every non-overall slice: the configured group of its dimension, else the
   * dimension's largest group (ties: the first label in order).
   */
  static Map<SliceKey, SliceKey> references(Map<SliceKey, SliceCounts> counts,
      GovernanceSettings policy) {
    Map<String, List<SliceKey>> byDimension = new LinkedHashMap<>();
    counts.keySet().stream().filter(k -> !k.overall())
        .forEach(k -> byDimension.computeIfAbsent(k.attribute(), a -> new ArrayList<>()).add(k));
    Map<SliceKey, SliceKey> out = new TreeMap<>();
    byDimension.forEach((dimension, groups) -> {
      String configured = policy.referenceGroups().get(dimension);
      SliceKey reference;
      if (configured != null) {
        reference = new SliceKey(dimension, configured);
        if (!counts.containsKey(reference)) {
          throw Errors.referenceGroupMissing(dimension, configured,
              groups.stream().map(SliceKey::group).toList());
        }
      } else {
        reference = groups.stream().min((a, b) -> {
          int bySize = Long.compare(counts.get(b).n(), counts.get(a).n());
          return bySize != 0 ? bySize : a.compareTo(b);
        }).orElseThrow();
      }
      groups.forEach(g -> out.put(g, reference));
    });
    return out;
  }

  private static PoissonBootstrap.Plan plan(GovernanceSettings policy,
      List<OperatingPoints.Point> points, long seed, List<SliceKey> ordered,
      Map<SliceKey, Integer> index, Map<SliceKey, CalibrationStats> calibration) {
    List<String> dimensions = new ArrayList<>(Slices.groupLabels(policy).keySet());
    Map<String, Map<String, Integer>> sliceIndex = new HashMap<>();
    for (String d : dimensions) {
      sliceIndex.put(d, new HashMap<>());
    }
    double[] intercepts = new double[ordered.size()];
    double[] slopes = new double[ordered.size()];
    for (SliceKey k : ordered) {
      int i = index.get(k);
      sliceIndex.get(k.attribute()).put(k.group(), i);
      intercepts[i] = calibration.get(k).recalibration().intercept();
      slopes[i] = calibration.get(k).recalibration().slope();
    }
    return new PoissonBootstrap.Plan(dimensions, sliceIndex, ordered.size(),
        points.stream().mapToDouble(OperatingPoints.Point::threshold).toArray(), intercepts,
        slopes, seed, policy.bootstrapReplicates());
  }
}
