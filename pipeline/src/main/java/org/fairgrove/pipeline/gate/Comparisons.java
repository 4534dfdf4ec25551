package org.fairgrove.pipeline.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.fairgrove.pipeline.config.GateSettings;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.config.PolicyCheck;
import org.fairgrove.pipeline.gate.GateComparison.Criterion;
import org.fairgrove.pipeline.gate.GateComparison.Outcome;
import org.fairgrove.pipeline.validate.Holm;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.PairedAuroc;
import org.fairgrove.pipeline.validate.SliceKey;
import org.fairgrove.pipeline.validate.SliceVerdict;
import org.fairgrove.pipeline.validate.ValidationResult;
import org.fairgrove.pipeline.validate.ValidationRun;
import org.fairgrove.pipeline.validate.Verdict;
import org.fairgrove.pipeline.validate.Verdicts;

/**
 * The gate's comparisons of a challenger with the champion on the same held-out rows, one per
 * evaluation set, slice and criterion (governance.gate):
 *
 * <ul>
 *   <li>discrimination: challenger minus champion AUROC with DeLong's paired CI. Fails when a
 *       one-sided test rejects "within the margin" after Holm's adjustment (across this
 *       criterion and fairness); passes when the one-sided 95% lower bound is above -margin;
 *       otherwise the data cannot tell (insufficient evidence).
 *   <li>fairness: the change of a group's AUROC gap to its reference. Fails on evidence that
 *       it widened by more than the margin (Holm, as above); passes or cannot tell as above.
 *   <li>calibration and parity checks: fails when the challenger's verdict is review or flag, its
 *       value is further from 1 than the champion's, on the log scale, by more than the margin,
 *       and the champion's value lies outside the challenger's 95% CI (the move is beyond
 *       noise); further by the margin but within the CI, the data cannot tell.
 *   <li>coverage: a slice the champion was validated on and the challenger was not fails.
 * </ul>
 */
final class Comparisons {
  private Comparisons() {}

  /** A paired AUROC comparison before Holm's adjustment. */
  private record Tested(String set, String reference, Criterion criterion,
      PairedAuroc.Difference difference, double margin) {}

  static List<GateComparison> of(ValidationRun.Paired paired, GovernanceSettings policy) {
    GateSettings gate = policy.gate();
    List<Tested> tested = new ArrayList<>();
    List<GateComparison> judged = new ArrayList<>();
    for (ValidationResult challenger : paired.challengerSets()) {
      String set = challenger.name();
      ValidationResult champion = paired.championSets().stream()
          .filter(r -> r.name().equals(set)).findFirst().orElseThrow();
      Map<SliceKey, PairedAuroc.Difference> differences = paired.differences().get(set);
      differences.values().forEach(d -> tested.add(
          new Tested(set, null, Criterion.DISCRIMINATION, d, gate.aurocMargin())));
      if (policy.checks().contains(PolicyCheck.AUROC_GAP)) {
        for (SliceVerdict v : champion.verdicts()) {
          PairedAuroc.Difference group = differences.get(v.slice());
          PairedAuroc.Difference reference = v.reference() == null ? null
              : differences.get(new SliceKey(v.slice().attribute(), v.reference()));
          if (group != null && reference != null) {
            tested.add(new Tested(set, v.reference(), Criterion.FAIRNESS,
                group.gapChange(reference), gate.fairnessMargin()));
          }
        }
      }
      for (MetricRow check : challenger.metrics()) {
        if (check.isCheck() && Verdicts.check(check) != PolicyCheck.AUROC_GAP) {
          judged.add(calibration(set, check, matching(champion, check), gate));
        }
      }
      for (SliceKey slice : champion.slices()) {
        if (!challenger.slices().contains(slice)) {
          judged.add(GateComparison.missing(set, slice));
        }
      }
    }
    List<GateComparison> out = new ArrayList<>(adjust(tested, gate, policy.alpha()));
    out.addAll(judged);
    return out;
  }

  /** Holm across the paired AUROC comparisons, then each one's outcome. */
  private static List<GateComparison> adjust(List<Tested> tested, GateSettings gate,
      double alpha) {
    double[] p = tested.stream()
        .mapToDouble(t -> t.difference().inferiorityP(t.margin())).toArray();
    double[] adjusted = Holm.adjust(p);
    List<GateComparison> out = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      Tested t = tested.get(i);
      Outcome outcome = adjusted[i] <= alpha ? Outcome.FAIL
          : t.difference().withinMargin(t.margin()) ? Outcome.PASS
          : Outcome.INSUFFICIENT_EVIDENCE;
      boolean blocks = outcome == Outcome.FAIL
          || outcome == Outcome.INSUFFICIENT_EVIDENCE && switch (gate.insufficientEvidence()) {
            case BLOCK -> true;
            case NOTE -> false;
            case BLOCK_WHEN_CHAMPION_POWERED -> t.difference().championPowered(t.margin());
          };
      out.add(GateComparison.paired(t.set(), t.reference(), t.criterion(), t.difference(),
          p[i], adjusted[i], outcome, blocks));
    }
    return out;
  }

  /** The champion's row of the same check, slice and operating point (by name). */
  private static Optional<MetricRow> matching(ValidationResult champion, MetricRow check) {
    return champion.metrics(check.slice()).stream()
        .filter(r -> r.metric().equals(check.metric())
            && Objects.equals(r.operatingPoint(), check.operatingPoint()))
        .findFirst();
  }

  private static GateComparison calibration(String set, MetricRow challenger,
      Optional<MetricRow> champion, GateSettings gate) {
    Double before = champion.map(MetricRow::value).orElse(null);
    Double after = challenger.value();
    Verdict verdict = challenger.verdict() == null ? Verdict.INSUFFICIENT_DATA
        : Verdict.of(challenger.verdict());
    Outcome outcome;
    if (verdict == Verdict.PASS || verdict == Verdict.INSUFFICIENT_DATA) {
      outcome = Outcome.PASS;
    } else if (before == null || after == null || before <= 0 || after <= 0) {
      // No comparable champion value: the challenger's own verdict decides.
      outcome = verdict == Verdict.FLAG ? Outcome.FAIL : Outcome.INSUFFICIENT_EVIDENCE;
    } else {
      boolean further =
          Math.abs(Math.log(after)) > Math.abs(Math.log(before)) + gate.calibrationMargin();
      // Beyond noise: the champion's value is not a plausible value for the challenger.
      boolean beyondNoise = challenger.ciLow() != null && challenger.ciHigh() != null
          && (before < challenger.ciLow() || before > challenger.ciHigh());
      outcome = !further ? Outcome.PASS
          : beyondNoise ? Outcome.FAIL : Outcome.INSUFFICIENT_EVIDENCE;
    }
    return GateComparison.check(set, challenger, before, verdict, outcome);
  }
}
