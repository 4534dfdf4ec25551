package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * A model's validations over time, from ops.validation_metrics: per evaluation set and slice,
 * AUROC, O/E and calibration slope with their CIs at each of its recent runs, and whether a
 * slice's AUROC has dropped since the model was first validated by more than the gate's
 * non-inferiority margin (governance.gate.auroc-margin): flagged when a one-sided test says so
 * after Holm adjustment across the slices, for review when only the estimate does. The two
 * validations are treated as independent; they share rows when the held-out data grew, which
 * makes the test conservative (fewer false flags), never the reverse.
 *
 * @param runs the runs shown, oldest first (the first validation and the most recent ones)
 */
public record Trend(List<Run> runs, List<Series> series, List<Drop> drops) {
  /** Runs shown besides the first: a year of monthly checks, or the last two weeks of nights. */
  static final int RECENT_RUNS = 12;
  static final List<String> METRICS = List.of("auroc", "oe_ratio", "calibration_slope");

  public record Run(String runId, Instant validatedAt) {}

  /** One value per run, null where the run lacked the slice or withheld the value. */
  public record Series(String set, SliceKey slice, String metric, List<Estimate> points) {}

  public record Estimate(double value, double ciLow, double ciHigh) {
    /** Standard error from the 95% CI's half-width (the CIs here are normal-based). */
    double standardError() {
      return (ciHigh - ciLow) / (2 * Stats.Z_975);
    }
  }

  /** Latest minus first AUROC of one slice, with its CI, test and verdict. */
  public record Drop(String set, SliceKey slice, Estimate first, Estimate latest,
      double difference, double ciLow, double ciHigh, double pValue, double pHolm,
      Verdict verdict) {}

  /** The worst verdict of the drops: pass when none is for review or flagged. */
  public Verdict decision() {
    return drops.stream().map(Drop::verdict).reduce(Verdict.PASS, Verdict::worse);
  }

  /** The model's trend, its latest run (the one just written) included. */
  public static Trend of(Lakehouse lakehouse, String taskId, String modelId,
      GovernanceSettings policy) {
    var metrics = lakehouse.read(Tables.OPS_VALIDATION_METRICS)
        .filter(col("task_id").equalTo(taskId).and(col("model_id").equalTo(modelId)));
    List<Run> all = metrics.select("run_id", "validated_at").distinct().orderBy("validated_at")
        .collectAsList().stream()
        .map(r -> new Run(r.getString(0), r.getTimestamp(1).toInstant())).toList();
    List<Run> runs = new ArrayList<>(all.subList(0, Math.min(1, all.size())));
    runs.addAll(all.subList(Math.max(1, all.size() - RECENT_RUNS), all.size()));
    List<String> ids = runs.stream().map(Run::runId).toList();
    Map<List<Object>, Estimate[]> values = new LinkedHashMap<>();
    for (Row r : metrics.filter(col("run_id").isin(ids.toArray()).and(col("metric")
            .isin(METRICS.toArray())).and(col("operating_point").isNull())
            .and(col("suppressed").equalTo(false)).and(col("value").isNotNull()))
        .select("run_id", "evaluation_set", "slice_attribute", "slice_group", "metric", "value",
            "ci_low", "ci_high")
        .orderBy("evaluation_set", "slice_attribute", "slice_group", "metric")
        .collectAsList()) {
      values.computeIfAbsent(List.of(r.getString(1), new SliceKey(r.getString(2),
          r.getString(3)), r.getString(4)), k -> new Estimate[ids.size()])
          [ids.indexOf(r.getString(0))] = new Estimate(r.getDouble(5), nan(r, 6), nan(r, 7));
    }
    List<Series> series = new ArrayList<>();
    values.forEach((key, points) -> series.add(new Series((String) key.get(0),
        (SliceKey) key.get(1), (String) key.get(2), java.util.Arrays.asList(points))));
    series.sort((a, b) -> ValidationRun.setOrder(a.set(), b.set()));
    return new Trend(List.copyOf(runs), List.copyOf(series),
        drops(series, policy.gate().aurocMargin(), policy.alpha()));
  }

  private static double nan(Row r, int i) {
    return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
  }

  /** Each slice's AUROC at its first and latest run, tested for a drop beyond the margin. */
  static List<Drop> drops(List<Series> series, double margin, double alpha) {
    List<Series> tested = series.stream().filter(s -> s.metric().equals("auroc")
        && s.points().size() > 1 && s.points().get(0) != null
        && s.points().get(s.points().size() - 1) != null
        && Double.isFinite(s.points().get(0).standardError())
        && Double.isFinite(s.points().get(s.points().size() - 1).standardError())).toList();
    double[] p = new double[tested.size()];
    double[][] estimates = new double[tested.size()][];
    for (int i = 0; i < tested.size(); i++) {
      Estimate first = tested.get(i).points().get(0);
      Estimate latest = tested.get(i).points().get(tested.get(i).points().size() - 1);
      double difference = latest.value() - first.value();
      double se = Math.hypot(first.standardError(), latest.standardError());
      // H0: the drop is within the margin (difference >= -margin); small p: it is beyond.
      p[i] = se > 0 ? Stats.lowerTail((difference + margin) / se)
          : difference < -margin ? 0 : 1;
      estimates[i] = new double[] {difference, difference - Stats.Z_975 * se,
          difference + Stats.Z_975 * se};
    }
    double[] adjusted = Holm.adjust(p);
    List<Drop> out = new ArrayList<>();
    for (int i = 0; i < tested.size(); i++) {
      Series s = tested.get(i);
      Verdict verdict = adjusted[i] < alpha ? Verdict.FLAG
          : estimates[i][0] < -margin ? Verdict.REVIEW : Verdict.PASS;
      out.add(new Drop(s.set(), s.slice(), s.points().get(0),
          s.points().get(s.points().size() - 1), estimates[i][0], estimates[i][1],
          estimates[i][2], p[i], adjusted[i], verdict));
    }
    return out;
  }

  /** Whether the model has been validated before this run. */
  public boolean hasHistory() {
    return runs.size() > 1;
  }
}
