package org.fairgrove.pipeline.gate;

import java.util.Locale;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.core.Intervals;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.PairedAuroc;
import org.fairgrove.pipeline.validate.SliceKey;
import org.fairgrove.pipeline.validate.Verdict;

/**
 * One comparison of the gate: an evaluation set, a slice, what was compared, both models' values,
 * the difference with its CI and p-values where it was tested, and the outcome. Values are
 * metrics (AUROC, slope, ratio), never counts; null where they do not apply.
 *
 * @param reference the reference group of a fairness comparison
 * @param challengerVerdict the challenger's own policy verdict, for a calibration or parity check
 * @param blocks whether this comparison keeps the champion
 */
public record GateComparison(String set, SliceKey slice, String reference, Criterion criterion,
    String metric, String operatingPoint, Double champion, Double challenger, Double difference,
    Double ciLow, Double ciHigh, Double pValue, Double pHolm, String challengerVerdict,
    Outcome outcome, boolean blocks) {

  /** What a comparison is about. */
  public enum Criterion implements Choice {
    DISCRIMINATION("discrimination"),
    FAIRNESS("fairness"),
    CALIBRATION("calibration"),
    COVERAGE("coverage"),
    /** A first model, with no champion: its own report's verdicts. */
    ABSOLUTE_POLICY("absolute_policy");

    private final String configName;

    Criterion(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  /** What one comparison concluded. */
  public enum Outcome implements Choice {
    PASS("pass"),
    /** The data cannot tell whether the challenger is within the margin. */
    INSUFFICIENT_EVIDENCE("insufficient_evidence"),
    FAIL("fail");

    private final String configName;

    Outcome(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  static GateComparison paired(String set, String reference, Criterion criterion,
      PairedAuroc.Difference d, double p, double pHolm, Outcome outcome, boolean blocks) {
    return new GateComparison(set, d.slice(), reference, criterion,
        criterion == Criterion.FAIRNESS ? "auroc_gap" : "auroc", null, finite(d.champion()),
        finite(d.challenger()), finite(d.difference()), finite(d.ciLow()), finite(d.ciHigh()),
        finite(p), finite(pHolm), null, outcome, blocks);
  }

  static GateComparison check(String set, MetricRow challenger, Double champion,
      Verdict verdict, Outcome outcome) {
    Double difference = champion == null || challenger.value() == null ? null
        : challenger.value() - champion;
    return new GateComparison(set, challenger.slice(), challenger.reference(),
        Criterion.CALIBRATION, challenger.metric().substring(MetricRow.CHECK_PREFIX.length()),
        challenger.operatingPoint(), champion, challenger.value(), difference,
        challenger.ciLow(), challenger.ciHigh(), challenger.pValue(), challenger.pHolm(),
        verdict.label(), outcome, outcome == Outcome.FAIL);
  }

  static GateComparison missing(String set, SliceKey slice) {
    return new GateComparison(set, slice, null, Criterion.COVERAGE, "slice_present", null, null,
        null, null, null, null, null, null, null, Outcome.FAIL, true);
  }

  /** A first model's own policy check: blocks when flagged. */
  static GateComparison absolute(String set, MetricRow check) {
    Verdict verdict = check.verdict() == null ? Verdict.INSUFFICIENT_DATA
        : Verdict.of(check.verdict());
    Outcome outcome = verdict == Verdict.FLAG ? Outcome.FAIL
        : verdict == Verdict.INSUFFICIENT_DATA ? Outcome.INSUFFICIENT_EVIDENCE : Outcome.PASS;
    return new GateComparison(set, check.slice(), check.reference(), Criterion.ABSOLUTE_POLICY,
        check.metric().substring(MetricRow.CHECK_PREFIX.length()), check.operatingPoint(), null,
        check.value(), null, check.ciLow(), check.ciHigh(), check.pValue(), check.pHolm(),
        verdict.label(), outcome, outcome == Outcome.FAIL);
  }

  /** A comparison as ops.promotion_decisions holds it. */
  static GateComparison of(Row r) {
    return new GateComparison(r.getAs("evaluation_set"),
        new SliceKey(r.getAs("slice_attribute"), r.getAs("slice_group")),
        r.getAs("reference_group"), Choice.named(Criterion.class, r.getAs("criterion")),
        r.getAs("metric"), r.getAs("operating_point"), r.getAs("champion_value"),
        r.getAs("challenger_value"), r.getAs("difference"), r.getAs("ci_low"),
        r.getAs("ci_high"), r.getAs("p_value"), r.getAs("p_holm"),
        r.getAs("challenger_verdict"), Choice.named(Outcome.class, r.getAs("outcome")),
        r.getAs("blocks"));
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /**
   * One line for a person reading the decision, e.g. "test race=Black: discrimination auroc,
   * challenger 0.712, champion 0.768, difference -0.056 (-0.081 to -0.031): fail (blocks)".
   */
  public String describe() {
    StringBuilder out = new StringBuilder(set + " " + slice + ": " + criterion.configName() + " "
        + metric + (operatingPoint == null ? "" : " at " + operatingPoint));
    boolean paired = criterion == Criterion.DISCRIMINATION || criterion == Criterion.FAIRNESS;
    if (challenger != null) {
      out.append(String.format(Locale.ROOT, ", challenger %.3f", challenger));
      if (!paired && ciLow != null && ciHigh != null) {
        out.append(' ').append(Intervals.bounds("%.3f", ciLow, ciHigh));
      }
    }
    if (champion != null) {
      out.append(String.format(Locale.ROOT, ", champion %.3f", champion));
    }
    if (paired && difference != null && ciLow != null && ciHigh != null) {
      out.append(", difference ").append(Intervals.of("%+.3f", difference, ciLow, ciHigh));
    }
    if (slice.comparedWith(reference)) {
      out.append(" vs ").append(reference);
    }
    if (challengerVerdict != null) {
      out.append(", challenger verdict ").append(challengerVerdict);
    }
    return out.append(": ").append(outcome.configName()).append(blocks ? " (blocks)" : "")
        .toString();
  }
}
