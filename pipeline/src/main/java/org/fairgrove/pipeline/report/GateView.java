package org.fairgrove.pipeline.report;

import static org.fairgrove.pipeline.report.ReportView.list;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fairgrove.pipeline.core.Intervals;
import org.fairgrove.pipeline.validate.SliceKey;

/**
 * The report's "challenger vs champion" section, from report.json's gate object: the decision,
 * the rule, each evaluation set's overall AUROC difference, the comparisons by criterion and
 * outcome, and what blocks (strongest evidence first). Metrics only; counts of comparisons up to
 * ten are written as words, as every small number in the report is.
 */
final class GateView {
  private static final int BLOCKING_SHOWN = 25;
  private static final List<String> OUTCOMES =
      List.of("pass", "insufficient_evidence", "fail");

  private GateView() {}

  static Map<String, Object> of(Map<String, Object> gate) {
    Map<String, Object> view = new LinkedHashMap<>();
    String decision = (String) gate.get("decision");
    List<Map<String, Object>> comparisons = list(gate.get("comparisons"));
    List<Map<String, Object>> blocking = comparisons.stream()
        .filter(c -> Boolean.TRUE.equals(c.get("blocks")))
        .sorted(Comparator.comparingDouble(c -> ReportView.dbl(c.get("p_holm")) >= 0
            ? ReportView.dbl(c.get("p_holm")) : 1)).toList();
    view.put("css", switch (decision) {
      case "promote", "already_champion" -> "pass";
      case "override" -> "review";
      default -> "flag";
    });
    view.put("title", decision.replace('_', ' ').toUpperCase(Locale.ROOT));
    view.put("text", text(gate, decision, comparisons.size(), blocking.size()));
    view.put("rule", gate.get("rule"));
    view.put("overall_rows", overall(comparisons));
    view.put("criterion_rows", byCriterion(comparisons));
    view.put("blocking_rows", blocking.stream().limit(BLOCKING_SHOWN).map(GateView::row)
        .toList());
    view.put("more_blocking", Math.max(0, blocking.size() - BLOCKING_SHOWN));
    return view;
  }

  private static String text(Map<String, Object> gate, String decision, int comparisons,
      int blocking) {
    Object champion = gate.get("champion_model_id");
    String against = champion == null ? "With no champion, the model was judged by its own"
        + " report" : "Compared with the champion " + champion + " on the same held-out rows";
    return against + ": " + ReportView.tally(comparisons) + " comparisons, "
        + ReportView.tally(blocking) + " blocking. " + switch (
        decision) {
      case "promote" -> "The model was promoted.";
      case "already_champion" -> "The model is the champion already.";
      case "override" -> "The gate refused the model and a person promoted it anyway; who and"
          + " why are in ops.promotion_decisions.";
      case "not_promoted" -> "No model was promoted.";
      default -> "The champion stays.";
    };
  }

  /** Each evaluation set's overall AUROC: champion, challenger, difference with its CI. */
  private static List<List<String>> overall(List<Map<String, Object>> comparisons) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> c : comparisons) {
      if ("discrimination".equals(c.get("criterion")) && "overall".equals(c.get("attribute"))) {
        rows.add(List.of((String) c.get("evaluation_set"), fixed(c.get("champion")),
            fixed(c.get("challenger")), difference(c), label(c)));
      }
    }
    return rows;
  }

  private static List<List<String>> byCriterion(List<Map<String, Object>> comparisons) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (Map<String, Object> c : comparisons) {
      long[] n = counts.computeIfAbsent((String) c.get("criterion"), k -> new long[4]);
      n[OUTCOMES.indexOf((String) c.get("outcome"))]++;
      n[3] += Boolean.TRUE.equals(c.get("blocks")) ? 1 : 0;
    }
    List<List<String>> rows = new ArrayList<>();
    counts.forEach((criterion, n) -> rows.add(List.of(criterion.replace('_', ' '),
        ReportView.tally(n[0]), ReportView.tally(n[1]), ReportView.tally(n[2]),
        ReportView.tally(n[3]))));
    return rows;
  }

  private static List<String> row(Map<String, Object> c) {
    SliceKey slice = new SliceKey((String) c.get("attribute"), (String) c.get("group"));
    Object point = c.get("operating_point");
    return List.of((String) c.get("evaluation_set"),
        slice + slice.versus((String) c.get("reference")),
        c.get("criterion") + ": " + c.get("metric") + (point == null ? "" : " at " + point),
        fixed(c.get("challenger")) + (c.get("ci_low") == null || paired(c) ? ""
            : " " + Intervals.bounds("%.3f", ReportView.dbl(c.get("ci_low")),
                ReportView.dbl(c.get("ci_high")))),
        fixed(c.get("champion")),
        paired(c) ? difference(c) : "verdict " + c.get("challenger_verdict"),
        c.get("p_holm") == null ? "" : String.format(Locale.ROOT, "%.2g",
            ReportView.dbl(c.get("p_holm"))),
        label(c));
  }

  /** Discrimination and fairness compare the two models row by row (a paired difference). */
  private static boolean paired(Map<String, Object> c) {
    return "discrimination".equals(c.get("criterion")) || "fairness".equals(c.get("criterion"));
  }

  private static String difference(Map<String, Object> c) {
    if (c.get("difference") == null) {
      return "";
    }
    return Intervals.of("%+.3f", ReportView.dbl(c.get("difference")),
        ReportView.dbl(c.get("ci_low")), ReportView.dbl(c.get("ci_high")));
  }

  private static String fixed(Object value) {
    return value == null ? "" : ReportView.number(value, "%.3f");
  }

  private static String label(Map<String, Object> c) {
    return ((String) c.get("outcome")).replace('_', ' ')
        + (Boolean.TRUE.equals(c.get("blocks")) ? " (blocks)" : "");
  }
}
