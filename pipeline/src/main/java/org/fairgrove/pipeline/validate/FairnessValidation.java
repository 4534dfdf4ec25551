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
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.validate.Calibration.CalibrationStats;
import org.fairgrove.pipeline.validate.CountMetrics.SliceCounts;
import org.fairgrove.pipeline.validate.Disparities.Disparity;
import org.fairgrove.pipeline.validate.RankMetrics.RankStats;

/**
 * Subgroup fairness validation of a model's predictions: per-slice performance, calibration and
 * decision metrics, disparities against each slice's reference group with bootstrap CIs, and the
 * governance policy's verdicts.
 *
 * <p>Input columns: {@code label} (0/1), {@code risk} (0..1), a stable row key (long; it seeds
 * the bootstrap weights, so it must identify the row across runs) and every attribute in
 * governance.attributes. Passes over the data: one building the distinct-value table (counts per
 * slice and risk); the sums, the DeLong AUROC and the calibration fits (one aggregation per
 * Newton iteration, shared by the three models) and errors all run on that table, whose size
 * is the number of distinct (slice, risk) pairs; then one pass for the bootstrap bins and one
 * for the bootstrap itself. Each row is repeated once per
 * dimension (overall, attributes, intersections), a constant factor: cost is linear in rows.
 */
public final class FairnessValidation {
  private FairnessValidation() {}

  public static ValidationResult validate(Dataset<Row> predictions, String keyColumn,
      FairgroveConfig config) {
    return validate(predictions, keyColumn, config.governance, config.run.seed());
  }

  public static ValidationResult validate(Dataset<Row> predictions, String keyColumn,
      GovernanceSettings policy, long seed) {
    Slices.checkColumns(predictions, keyColumn, policy);
    Dataset<Row> labelled = Slices.labelled(predictions, keyColumn, policy).cache();
    Dataset<Row> exploded = Slices.exploded(labelled, policy);
    Dataset<Row> perValue = RankMetrics.perValue(exploded).cache();
    try {
      List<Double> allThresholds = new ArrayList<>(new TreeSet<>(concat(policy.thresholds(),
          policy.netBenefitThresholds())));
      Progress.Stage phase = Progress.start("validate: counts");
      Map<SliceKey, SliceCounts> counts = CountMetrics.compute(perValue, allThresholds);
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
            calibration.get(key), policy.thresholds()));
      }

      List<SliceKey> ordered = new ArrayList<>(slices.keySet());
      Map<SliceKey, Integer> index = new HashMap<>();
      for (int i = 0; i < ordered.size(); i++) {
        index.put(ordered.get(i), i);
      }
      phase = Progress.start("validate: Poisson bootstrap, "
          + policy.bootstrapReplicates() + " replicates");
      PoissonBootstrap.Replicates replicates = PoissonBootstrap.run(labelled,
          plan(labelled, policy, seed, ordered, index, calibration));
      phase.done(ordered.size());
      List<Disparity> disparities = Disparities.compute(new HashMap<>(slices), index,
          references, replicates, policy.thresholds());
      List<SliceVerdict> verdicts = Policy.verdicts(slices, references, disparities, policy);

      List<MetricRow> rows = new ArrayList<>();
      slices.values().forEach(s -> rows.addAll(MetricRows.of(s, policy)));
      disparities.forEach(d -> rows.addAll(MetricRows.of(d)));
      Map<SliceKey, SmallCells.CellCounts> cells = new TreeMap<>();
      counts.forEach((k, c) -> cells.put(k, MetricRows.cells(c)));
      return new ValidationResult(rows, verdicts, cells, policy.smallCellThreshold());
    } finally {
      perValue.unpersist();
      labelled.unpersist();
    }
  }

  private static List<Double> concat(List<Double> a, List<Double> b) {
    List<Double> out = new ArrayList<>(a);
    out.addAll(b);
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

  private static PoissonBootstrap.Plan plan(Dataset<Row> labelled, GovernanceSettings policy,
      long seed, List<SliceKey> ordered, Map<SliceKey, Integer> index,
      Map<SliceKey, CalibrationStats> calibration) {
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
    int bins = policy.bootstrapAurocBins();
    double[] probabilities = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      probabilities[i - 1] = (double) i / bins;
    }
    double[] edges = labelled.select(col(Slices.RISK)).stat()
        .approxQuantile(Slices.RISK, probabilities, 1e-4);
    // Tied quantiles (heavily tied risks) would give empty bins; one edge each is enough.
    double[] distinctEdges = java.util.Arrays.stream(edges).distinct().sorted().toArray();
    return new PoissonBootstrap.Plan(dimensions, sliceIndex, ordered.size(),
        policy.thresholds().stream().mapToDouble(Double::doubleValue).toArray(), distinctEdges,
        intercepts, slopes, seed, policy.bootstrapReplicates());
  }
}
