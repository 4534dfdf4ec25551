package org.fairgrove.pipeline.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.core.Intervals;
import org.fairgrove.pipeline.core.SmallCells;
import org.fairgrove.pipeline.validate.SliceKey;

/**
 * The templates' context: report.json's content as display strings, tables as rows of cells, and
 * the charts as inline SVG. Only values already in report.json are shown.
 */
@SuppressWarnings("unchecked")
final class ReportView {
  static final String SUPPRESSED = "suppressed";
  static final String NOT_AVAILABLE = "n/a";
  /** Shown for a group in which not even a gap down to chance (AUROC 0.5) is detectable. */
  static final String NO_DETECTABLE_GAP = "none";
  /** Findings listed on the first page; the rest are in each set's section. */
  static final int FIRST_PAGE_FINDINGS = 10;
  private static final List<String> PARITY = List.of("equal_opportunity", "fpr_parity",
      "demographic_parity", "predictive_parity", "equalized_odds");

  private ReportView() {}

  static Map<String, Object> of(Map<String, Object> report, GovernanceSettings policy) {
    Map<String, Object> view = new LinkedHashMap<>(report);
    Charts charts = new Charts();
    String decision = (String) report.get("decision");
    view.put("decision_class", decision);
    view.put("decision_title", decision.toUpperCase(Locale.ROOT));
    view.put("decision_text", decisionText(report));
    List<Map<String, Object>> sets = list(report.get("evaluation_sets"));
    List<List<String>> headline = new ArrayList<>();
    List<Map<String, Object>> setViews = new ArrayList<>();
    for (Map<String, Object> set : sets) {
      headline.add(headline(set, policy));
      setViews.add(SetView.of(set, policy, charts));
    }
    view.put("headline_rows", headline);
    view.put("sets", setViews);
    List<List<String>> findings = new ArrayList<>();
    for (Map<String, Object> f : list(report.get("findings"))) {
      findings.add(finding(f, report, sets));
    }
    view.put("finding_rows", findings.subList(0, Math.min(FIRST_PAGE_FINDINGS,
        findings.size())));
    view.put("more_findings", Math.max(0, findings.size() - FIRST_PAGE_FINDINGS));
    List<List<String>> insufficient = insufficientRows(sets);
    view.put("insufficient_rows", insufficient);
    int groups = insufficient.stream().mapToInt(r -> r.get(2).split("; ").length).sum();
    view.put("insufficient_groups", groups);
    view.put("insufficient_groups_text", plural(groups, "group"));
    view.put("transport_rows", transport(report));
    view.put("representativeness_table", representativeness(report));
    view.put("operating_point_list", String.join(", ", list(report.get("operating_points"))
        .stream().map(p -> p.get("label") + " (risk " + number(p.get("threshold"), "%.4f")
            + ")").toList()));
    view.put("check_list", String.join(", ", ((List<String>) ((Map<String, Object>) report
        .get("policy")).get("checks")).stream().map(c -> c.replace('_', ' ')).toList()));
    Map<String, Object> development = (Map<String, Object>) report.get("development");
    if (development != null) {
      view.put("development_rows", count(development.get("rows"), policy));
      view.put("development_events", count(development.get("events"), policy));
      List<String> trainingAuroc = new ArrayList<>();
      ((Map<String, Object>) development.get("auroc_by_split")).forEach((split, v) ->
          trainingAuroc.add(split + " " + number(v, "%.3f")));
      view.put("training_auroc", String.join(", ", trainingAuroc));
    }
    List<String> top = new ArrayList<>();
    for (Map<String, Object> f : list(((Map<String, Object>) report.get("model"))
        .get("top_features"))) {
      top.add(f.get("feature") + " (" + number(((Number) f.get("share")).doubleValue() * 100,
          "%.1f") + "% of gain)");
    }
    view.put("top_features", top);
    view.put("generated_date", ((String) report.get("generated_at")).substring(0, 10));
    view.put("trend_view", TrendView.of((Map<String, Object>) report.get("trend"), charts));
    if (report.get("gate") != null) {
      view.put("gate_view", GateView.of((Map<String, Object>) report.get("gate")));
    }
    return view;
  }

  /** What the committee is asked to decide, in one sentence. */
  private static String decisionText(Map<String, Object> report) {
    List<Map<String, Object>> findings = new ArrayList<>(list(report.get("findings")));
    List<Map<String, Object>> drops = TrendView.notableDrops(report);
    findings.addAll(drops);
    long flags = findings.stream().filter(f -> "flag".equals(f.get("verdict"))).count();
    long reviews = findings.size() - flags;
    String over = drops.isEmpty() ? "" : " (AUROC drops since the first validation included,"
        + " section \"Over time\")";
    return switch ((String) report.get("decision")) {
      case "flag" -> "Do not approve this model for use as it stands: " + plural(flags, "check")
          + (flags == 1 ? " shows" : " show")
          + ", with multiplicity-adjusted evidence, a group beyond the policy limits"
          + (reviews > 0 ? " (and " + plural(reviews, "more check")
              + (reviews == 1 ? " needs" : " need") + " review)" : "") + over
          + ". Each is listed below with its size and certainty.";
      case "review" -> "No check is flagged, but " + plural(reviews, "check")
          + (reviews == 1 ? " has" : " have") + " an estimate beyond the policy limits without"
          + " conclusive evidence" + over + ". Approve only after the committee has weighed"
          + " each one below.";
      default -> "Every group that could be assessed meets the policy: no estimate is beyond a"
          + " limit. Groups too small to assess are named below with the smallest gap they"
          + " could have detected.";
    };
  }

  private static String plural(long n, String noun) {
    return tally(n) + " " + noun + (n == 1 ? "" : "s");
  }

  private static final List<String> SMALL_NUMBERS = List.of("none", "one", "two", "three",
      "four", "five", "six", "seven", "eight", "nine", "ten");

  /**
   * A number of checks or slices (never of persons) in words up to ten, as prose style has it,
   * so that no small integer, count of persons or not, appears in a report.
   */
  static String tally(Object value) {
    long n = ((Number) value).longValue();
    return n >= 0 && n < SMALL_NUMBERS.size() ? SMALL_NUMBERS.get((int) n) : Long.toString(n);
  }

  private static List<String> headline(Map<String, Object> set, GovernanceSettings policy) {
    Map<String, Object> overall = slice(set, SliceKey.OVERALL, SliceKey.ALL);
    Map<String, Object> counts = (Map<String, Object>) set.get("verdict_counts");
    boolean suppressed = overall == null || Boolean.TRUE.equals(overall.get("suppressed"));
    return List.of(title(set), suppressed ? SUPPRESSED : count(overall.get("n"), policy),
        suppressed ? SUPPRESSED : count(overall.get("events"), policy),
        withCi(overall, "auroc", suppressed), withCi(overall, "oe_ratio", suppressed),
        withCi(overall, "calibration_slope", suppressed),
        withCi(overall, "calibration_intercept", suppressed),
        tally(counts.get("flag")) + " / " + tally(counts.get("review")) + " / "
            + tally(counts.get("pass")) + " / " + tally(counts.get("insufficient_data")));
  }

  private static List<String> finding(Map<String, Object> f, Map<String, Object> report,
      List<Map<String, Object>> sets) {
    String set = (String) f.get("evaluation_set");
    String title = sets.stream().filter(s -> set.equals(s.get("name"))).map(ReportView::title)
        .findFirst().orElse(set);
    String group = f.get("attribute") + ": " + f.get("group")
        + new SliceKey((String) f.get("attribute"), (String) f.get("group"))
            .versus((String) f.get("reference"));
    String check = ((String) f.get("check")).replace('_', ' ')
        + (f.get("operating_point") == null ? "" : " at " + f.get("operating_point"));
    return List.of(((String) f.get("verdict")).toUpperCase(Locale.ROOT), shortTitle(title),
        group, check, estimate(f), limit((String) f.get("check"),
            (Map<String, Object>) report.get("policy")),
        f.get("p_holm") == null ? NOT_AVAILABLE : pValue(f.get("p_holm")));
  }

  /** "0.52 (0.38 to 0.71)". */
  static String estimate(Map<String, Object> row) {
    if (row.get("estimate") == null) {
      return NOT_AVAILABLE;
    }
    String value = number(row.get("estimate"), "%.3f");
    return row.get("ci_low") == null ? value : value + " (" + number(row.get("ci_low"), "%.3f")
        + " to " + number(row.get("ci_high"), "%.3f") + ")";
  }

  /** The acceptable range of a check, as the policy states it. */
  static String limit(String check, Map<String, Object> policy) {
    return switch (check) {
      case "auroc_gap" -> "gap at least -" + number(policy.get("max_auroc_gap"), "%.2f");
      case "calibration_slope", "oe_ratio" -> range((Map<String, Object>) policy.get(check));
      case "equalized_odds" -> "at least " + number(((Map<String, Object>) policy
          .get("parity_ratio")).get("min"), "%.2f");
      default -> range((Map<String, Object>) policy.get("parity_ratio"));
    };
  }

  private static String range(Map<String, Object> range) {
    return number(range.get("min"), "%.2f") + " to " + number(range.get("max"), "%.2f");
  }

  /**
   * The groups too small to tell, one row per evaluation set and slicing dimension: the groups,
   * each with the smallest AUROC gap it could have shown.
   */
  private static List<List<String>> insufficientRows(List<Map<String, Object>> sets) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> set : sets) {
      Map<String, List<String>> byDimension = new LinkedHashMap<>();
      for (Map<String, Object> s : list(set.get("slices"))) {
        if ("insufficient_data".equals(s.get("status"))) {
          byDimension.computeIfAbsent((String) s.get("attribute"), a -> new ArrayList<>())
              .add(withDetectableGap(s));
        }
      }
      byDimension.forEach((dimension, groups) -> rows.add(List.of(shortTitle(title(set)),
          dimension, String.join("; ", groups))));
    }
    return rows;
  }

  /**
   * A slice's detectable AUROC gap as shown: its value, "none" where no gap short of chance could
   * be detected (null in the JSON), empty for the overall slice (which has no reference).
   */
  private static String withDetectableGap(Map<String, Object> slice) {
    String gap = detectableGap(slice, "%.2f");
    return slice.get("group") + (gap.isEmpty() ? "" : " (" + gap + ")");
  }

  static String detectableGap(Map<String, Object> slice, String format) {
    if (!slice.containsKey(ReportJson.DETECTABLE_GAP)) {
      return "";
    }
    Object gap = slice.get(ReportJson.DETECTABLE_GAP);
    return gap == null ? NO_DETECTABLE_GAP : number(gap, format);
  }

  private static List<List<String>> transport(Map<String, Object> report) {
    List<List<String>> rows = new ArrayList<>();
    Map<String, String> names = Map.of("auroc", "AUROC", "oe_ratio", "O/E",
        "calibration_slope", "Calibration slope", "calibration_intercept",
        "Calibration intercept");
    for (Map<String, Object> r : list(report.get("transportability"))) {
      String change = r.get("difference") == null ? "(the internal reference)"
          : ("oe_ratio".equals(r.get("metric")) ? "ratio " : "") + interval(r.get("difference"),
              r.get("difference_ci_low"), r.get("difference_ci_high"));
      rows.add(List.of((String) r.get("evaluation_set"), names.get(r.get("metric")),
          interval(r.get("value"), r.get("ci_low"), r.get("ci_high")), change));
    }
    return rows;
  }

  private static List<List<String>> representativeness(Map<String, Object> report) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> r : list(report.get("representativeness"))) {
      Map<String, Object> shares = (Map<String, Object>) r.get("shares");
      List<String> row = new ArrayList<>(List.of(r.get("attribute") + ": " + r.get("group"),
          share(shares, "development"), share(shares, "test")));
      List<String> others = new ArrayList<>();
      shares.forEach((set, v) -> {
        if (!set.equals("development") && !set.equals("test")) {
          others.add(set + " " + share(shares, set));
        }
      });
      row.add(String.join("; ", others));
      rows.add(row);
    }
    return rows;
  }

  static String title(Map<String, Object> set) {
    return switch ((String) set.get("split")) {
      case "test" -> "Internal validation (held-out test split)";
      case "temporal" -> "Temporal validation (the latest index dates)";
      case "provided" -> "Validation of the provided predictions";
      default -> "External validation: site " + set.get("site_id");
    };
  }

  static String shortTitle(String title) {
    return title.replace(" (held-out test split)", "").replace(" (the latest index dates)", "");
  }

  static Map<String, Object> slice(Map<String, Object> set, String attribute, String group) {
    return list(set.get("slices")).stream().filter(s -> attribute.equals(s.get("attribute"))
        && group.equals(s.get("group"))).findFirst().orElse(null);
  }

  static String withCi(Map<String, Object> s, String metric, boolean suppressed) {
    if (suppressed) {
      return SUPPRESSED;
    }
    return interval(s.get(metric), s.get(metric + "_ci_low"), s.get(metric + "_ci_high"));
  }

  static String interval(Object value, Object low, Object high) {
    if (value == null) {
      return NOT_AVAILABLE;
    }
    return low == null ? number(value, "%.3f")
        : Intervals.of("%.3f", dbl(value), dbl(low), dbl(high));
  }

  static List<String> parityMetrics() {
    return PARITY;
  }

  private static String share(Map<String, Object> shares, String set) {
    if (!shares.containsKey(set)) {
      return "none";
    }
    Object value = shares.get(set);
    return value == null ? SUPPRESSED : number(dbl(value) * 100, "%.1f") + "%";
  }

  /** A count as shown: null (withheld upstream) or small never shows a number. */
  static String count(Object value, GovernanceSettings policy) {
    return value == null ? SUPPRESSED : SmallCells.show(((Number) value).longValue(),
        policy.smallCellThreshold());
  }

  static String pValue(Object value) {
    double p = dbl(value);
    return p < 0.001 ? "<0.001" : number(p, "%.3f");
  }

  static String number(Object value, String format) {
    return String.format(Locale.ROOT, format, ((Number) value).doubleValue());
  }

  static double dbl(Object value) {
    return value == null ? Double.NaN : ((Number) value).doubleValue();
  }

  static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }
}
