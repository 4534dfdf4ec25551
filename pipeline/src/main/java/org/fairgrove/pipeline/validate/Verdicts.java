package org.fairgrove.pipeline.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.config.PolicyCheck;

/**
 * The verdicts of one report: Holm's adjustment of the checks' one-sided p-values across every
 * check of every evaluation set (so the chance of any flag on a population whose groups are all
 * within the limits stays at most governance.alpha), then per check:
 *
 * <ul>
 *   <li>flag: the adjusted p-value is at most alpha;
 *   <li>pass: the 95% CI lies within the limits;
 *   <li>review: the estimate is beyond a limit and its CI excludes the ideal (no gap, a slope
 *       or ratio of one), so the data do show a departure, but not conclusively past the limit;
 *   <li>insufficient data: the slice is too small for the policy, the value is withheld or
 *       undefined, or the CI reaches both past a limit and to the ideal: the data cannot tell
 *       an acceptable value from an unacceptable one.
 * </ul>
 *
 * A slice takes the worst verdict of its checks.
 */
public final class Verdicts {
  private Verdicts() {}

  public static List<ValidationResult> decide(List<ValidationResult> sets,
      GovernanceSettings policy) {
    List<double[]> family = new ArrayList<>();
    for (ValidationResult set : sets) {
      for (MetricRow row : set.metrics()) {
        if (tested(row)) {
          family.add(new double[] {row.pValue()});
        }
      }
    }
    double[] adjusted = Holm.adjust(family.stream().mapToDouble(p -> p[0]).toArray());
    List<ValidationResult> out = new ArrayList<>();
    int next = 0;
    for (ValidationResult set : sets) {
      List<MetricRow> rows = new ArrayList<>();
      for (MetricRow row : set.metrics()) {
        if (!row.isCheck()) {
          rows.add(row);
        } else if (tested(row)) {
          double pHolm = adjusted[next++];
          rows.add(row.withVerdict(pHolm, verdict(row, pHolm, policy).label()));
        } else {
          rows.add(row.withVerdict(null, Verdict.INSUFFICIENT_DATA.label()));
        }
      }
      out.add(set.decided(rows, sliceVerdicts(set, rows)));
    }
    return out;
  }

  /** A check with a p-value whose values are shown: it belongs to the Holm family. */
  private static boolean tested(MetricRow row) {
    return row.isCheck() && !row.suppressed() && row.pValue() != null;
  }

  static Verdict verdict(MetricRow check, double pHolm, GovernanceSettings policy) {
    double[] limits = Checks.limits(check(check), policy);
    if (pHolm <= policy.alpha()) {
      return Verdict.FLAG;
    }
    if (check.ciLow() == null || check.ciHigh() == null) {
      return Verdict.INSUFFICIENT_DATA;
    }
    if (check.ciLow() >= limits[0] && check.ciHigh() <= limits[1]) {
      return Verdict.PASS;
    }
    double ideal = Checks.ideal(check(check));
    boolean beyond = check.value() < limits[0] || check.value() > limits[1];
    boolean departs = check.ciLow() > ideal || check.ciHigh() < ideal;
    return beyond && departs ? Verdict.REVIEW : Verdict.INSUFFICIENT_DATA;
  }

  /** The policy check a check row stands for. */
  public static PolicyCheck check(MetricRow row) {
    String name = row.metric().substring(MetricRow.CHECK_PREFIX.length());
    for (PolicyCheck c : PolicyCheck.values()) {
      if (c.configName().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("not a check row: " + row.metric());
  }

  private static List<SliceVerdict> sliceVerdicts(ValidationResult set, List<MetricRow> rows) {
    Map<SliceKey, List<MetricRow>> checks = new HashMap<>();
    rows.stream().filter(MetricRow::isCheck)
        .forEach(r -> checks.computeIfAbsent(r.slice(), k -> new ArrayList<>()).add(r));
    Map<SliceKey, SliceVerdict> out = new TreeMap<>();
    set.sliceInfo().forEach((slice, info) -> {
      Verdict status = info.insufficient() ? Verdict.INSUFFICIENT_DATA : Verdict.PASS;
      List<MetricRow> findings = new ArrayList<>();
      for (MetricRow check : checks.getOrDefault(slice, List.of())) {
        Verdict v = Verdict.of(check.verdict());
        status = status.worse(v);
        if (v == Verdict.FLAG || v == Verdict.REVIEW) {
          findings.add(check);
        }
      }
      out.put(slice, new SliceVerdict(slice, info.reference(), status, List.copyOf(findings),
          info.minimumDetectableAurocGap()));
    });
    return List.copyOf(out.values());
  }
}
