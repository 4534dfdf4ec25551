package org.fairgrove.pipeline.report;

import static org.fairgrove.pipeline.core.SmallCells.small;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fairgrove.pipeline.config.GateSettings;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.config.PolicyCheck;
import org.fairgrove.pipeline.gate.Gate;
import org.fairgrove.pipeline.gate.GateComparison;
import org.fairgrove.pipeline.train.OperatingPoints;
import org.fairgrove.pipeline.validate.Curves;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.SliceKey;
import org.fairgrove.pipeline.validate.SliceVerdict;
import org.fairgrove.pipeline.validate.Transportability;
import org.fairgrove.pipeline.validate.Trend;
import org.fairgrove.pipeline.validate.ValidationReport;
import org.fairgrove.pipeline.validate.Verdict;
import org.fairgrove.pipeline.validate.Verdicts;

/** report.json: the whole content of the report; the HTML, PDF and model card render it. */
final class ReportJson {
  static final String REPORT_VERSION = "2.1";
  /** Per-slice metrics copied into each slice's summary (the full long form is in "metrics"). */
  static final List<String> SLICE_METRICS = List.of("n", "events", "prevalence", "mean_risk",
      "auroc", "auprc", "brier", "scaled_brier", "oe_ratio", "calibration_intercept",
      "calibration_slope", "ici", "e50", "e90");
  private static final List<String> COUNTS = List.of("n", "events");
  /** The internal evaluation set: the one the others are compared with. */
  static final String INTERNAL = "test";
  /** Per slice: the smallest AUROC gap its counts could detect (null: none short of chance). */
  static final String DETECTABLE_GAP = "minimum_detectable_auroc_gap";

  private ReportJson() {}

  static ObjectNode build(ValidationReport report) {
    ObjectMapper mapper = new ObjectMapper();
    GovernanceSettings policy = report.policy();
    int threshold = policy.smallCellThreshold();
    ObjectNode root = mapper.createObjectNode();
    root.put("report_version", REPORT_VERSION);
    root.put("run_id", report.runId());
    root.put("generated_at", report.generatedAt().toString());
    root.put("decision", report.decision().label());
    root.put("rule", rule(policy, checksTested(report)));

    ObjectNode task = root.putObject("task");
    task.put("id", report.task().id());
    task.put("description", report.task().description());
    task.put("time_at_risk_start_day", report.task().timeAtRiskStartDay());
    task.put("time_at_risk_end_day", report.task().timeAtRiskEndDay());

    model(root.putObject("model"), report.model());
    development(root, report.development(), threshold);
    policy(root.putObject("policy"), policy, checksTested(report));
    ArrayNode points = root.putArray("operating_points");
    for (OperatingPoints.Point p : report.points()) {
      points.addObject().put("label", p.label()).put("kind", p.kind().configName())
          .put("value", p.value()).put("threshold", p.threshold());
    }
    findings(root.putArray("findings"), report);
    ArrayNode sets = root.putArray("evaluation_sets");
    for (ValidationReport.EvaluatedSet set : report.sets()) {
      set(sets.addObject(), set, policy);
    }
    ArrayNode transport = root.putArray("transportability");
    for (Transportability.Row r : Transportability.of(report.sets(), INTERNAL)) {
      ObjectNode row = transport.addObject();
      row.put("evaluation_set", r.set());
      row.put("metric", r.metric());
      putNumber(row, "value", r.value());
      putNumber(row, "ci_low", r.ciLow());
      putNumber(row, "ci_high", r.ciHigh());
      putNumber(row, "difference", r.difference());
      putNumber(row, "difference_ci_low", r.differenceCiLow());
      putNumber(row, "difference_ci_high", r.differenceCiHigh());
    }
    representativeness(root.putArray("representativeness"), report.shares());
    trend(root.putObject("trend"), report.trend(), policy);
    return root;
  }

  /** Sets (or replaces) the report's gate object. */
  static void setGate(ObjectNode report, Gate.Result gate, GovernanceSettings policy) {
    gate(report.putObject("gate"), gate, policy);
  }

  /** The gate's decision and every comparison behind it: metrics, never counts. */
  private static void gate(ObjectNode out, Gate.Result gate, GovernanceSettings policy) {
    out.put("decision", gate.decision().configName());
    out.put("decision_id", gate.decisionId());
    out.put("challenger_model_id", gate.challengerId());
    out.put("champion_model_id", gate.championId());
    out.put("rule", gateRule(policy));
    ArrayNode comparisons = out.putArray("comparisons");
    for (GateComparison c : gate.comparisons()) {
      ObjectNode row = comparisons.addObject();
      row.put("evaluation_set", c.set());
      row.put("attribute", c.slice().attribute());
      row.put("group", c.slice().group());
      row.put("reference", c.reference());
      row.put("criterion", c.criterion().configName());
      row.put("metric", c.metric());
      row.put("operating_point", c.operatingPoint());
      putNumber(row, "champion", c.champion());
      putNumber(row, "challenger", c.challenger());
      putNumber(row, "difference", c.difference());
      putNumber(row, "ci_low", c.ciLow());
      putNumber(row, "ci_high", c.ciHigh());
      putNumber(row, "p_value", c.pValue());
      putNumber(row, "p_holm", c.pHolm());
      row.put("challenger_verdict", c.challengerVerdict());
      row.put("outcome", c.outcome().configName());
      row.put("blocks", c.blocks());
    }
  }

  /** The gate's rule in one sentence, as the report states it. */
  static String gateRule(GovernanceSettings policy) {
    GateSettings gate = policy.gate();
    return String.format(java.util.Locale.ROOT, "Challenger and champion are scored on the same"
        + " held-out rows. A slice blocks promotion when the evidence says the challenger is"
        + " worse: its AUROC lower than the champion's by more than %s, or a group's AUROC gap to"
        + " its reference wider by more than %s (one-sided paired DeLong tests at %s, Holm-adjusted"
        + " across every such comparison); or its calibration slope or O/E is not within policy"
        + " and further from 1 than the champion's by more than %s on the log scale, with the"
        + " champion's value outside its 95%% CI; or the slice is missing. A slice too small to tell blocks when %s. With no champion, the model is"
        + " promoted only if its own report flags nothing.", number(gate.aurocMargin()),
        number(gate.fairnessMargin()), number(policy.alpha()), number(gate.calibrationMargin()),
        switch (gate.insufficientEvidence()) {
          case BLOCK -> "the policy says so (always)";
          case NOTE -> "never (it is noted)";
          case BLOCK_WHEN_CHAMPION_POWERED -> "the champion's own AUROC there was precise enough"
              + " to detect the margin";
        });
  }

  /** The model's validations over time: estimates with CIs, never counts. */
  private static void trend(ObjectNode out, Trend trend, GovernanceSettings policy) {
    out.put("rule", trendRule(policy));
    ArrayNode runs = out.putArray("runs");
    trend.runs().forEach(r -> runs.addObject().put("run_id", r.runId())
        .put("validated_at", r.validatedAt().toString()));
    ArrayNode series = out.putArray("series");
    for (Trend.Series s : trend.series()) {
      ObjectNode row = series.addObject();
      row.put("evaluation_set", s.set());
      row.put("attribute", s.slice().attribute());
      row.put("group", s.slice().group());
      row.put("metric", s.metric());
      ArrayNode points = row.putArray("points");
      for (Trend.Estimate e : s.points()) {
        if (e == null) {
          points.addNull();
        } else {
          estimate(points.addObject(), e);
        }
      }
    }
    ArrayNode drops = out.putArray("auroc_drops");
    for (Trend.Drop d : trend.drops()) {
      ObjectNode row = drops.addObject();
      row.put("evaluation_set", d.set());
      row.put("attribute", d.slice().attribute());
      row.put("group", d.slice().group());
      estimate(row.putObject("first"), d.first());
      estimate(row.putObject("latest"), d.latest());
      putNumber(row, "difference", d.difference());
      putNumber(row, "ci_low", d.ciLow());
      putNumber(row, "ci_high", d.ciHigh());
      putNumber(row, "p_value", d.pValue());
      putNumber(row, "p_holm", d.pHolm());
      row.put("verdict", d.verdict().label());
    }
  }

  private static void estimate(ObjectNode out, Trend.Estimate e) {
    putNumber(out, "value", e.value());
    putNumber(out, "ci_low", e.ciLow());
    putNumber(out, "ci_high", e.ciHigh());
  }

  static String trendRule(GovernanceSettings policy) {
    return String.format(java.util.Locale.ROOT, "A slice's AUROC is flagged as dropped when a"
        + " one-sided test at %s, Holm-adjusted across the slices, says it is lower than at the"
        + " model's first validation on the same evaluation set by more than %s (the gate's"
        + " margin); for review when only the estimate is. The two validations are treated as"
        + " independent, which overstates the noise when they share rows: the test errs towards"
        + " not flagging.", number(policy.alpha()), number(policy.gate().aurocMargin()));
  }

  /** The verdict rule in one sentence, as the report states it. */
  static String rule(GovernanceSettings policy, long checks) {
    return String.format(java.util.Locale.ROOT, "A check is flagged when the evidence says it"
        + " breaks the policy (a one-sided test of \"within the limit\" rejects at %s after"
        + " Holm's adjustment across all %d checks of this report), review when its estimate is"
        + " beyond the limit and its 95%% CI excludes no difference but still reaches acceptable"
        + " values, pass when the whole 95%% CI lies within the limits, and insufficient data when"
        + " the group is too small to tell (its CI spans both no difference and a breach).",
        number(policy.alpha()), checks);
  }

  private static long checksTested(ValidationReport report) {
    return report.sets().stream().flatMap(s -> s.result().metrics().stream())
        .filter(r -> r.isCheck() && r.pHolm() != null).count();
  }

  private static void model(ObjectNode m, ValidationReport.Model model) {
    m.put("model_id", model.modelId());
    m.put("name", model.name());
    m.put("version", model.version());
    m.put("developer", model.developer());
    m.put("provided", model.provided());
    putText(m, "engine", model.engine());
    putText(m, "status", model.status());
    putText(m, "code_version", model.codeVersion());
    putText(m, "dictionary_hash", model.dictionaryHash());
    m.put("recalibrated", model.recalibrated());
    if (model.protectedAttributesAsInputs() == null) {
      m.putNull("protected_attributes_as_inputs");
    } else {
      m.put("protected_attributes_as_inputs", model.protectedAttributesAsInputs());
    }
    ArrayNode top = m.putArray("top_features");
    model.topFeatures().forEach(e -> top.addObject().put("feature", e.getKey())
        .put("share", e.getValue()));
    m.put("thresholds_set_on", model.thresholdsSetOn());
  }

  private static void development(ObjectNode root, ValidationReport.Development d,
      int threshold) {
    if (d == null) {
      root.putNull("development");
      return;
    }
    ObjectNode development = root.putObject("development");
    putCount(development, "rows", d.rows(), threshold);
    putCount(development, "events", d.events(), threshold);
    putCount(development, "non_events", d.rows() - d.events(), threshold);
    if (d.years() != null) {
      development.put("first_year", d.years()[0]);
      development.put("last_year", d.years()[1]);
    }
    ObjectNode auroc = development.putObject("auroc_by_split");
    d.trainingAuroc().forEach(auroc::put);
  }

  private static void policy(ObjectNode p, GovernanceSettings policy, long checks) {
    p.put("small_cell_threshold", policy.smallCellThreshold());
    p.put("alpha", policy.alpha());
    p.put("checks_tested", checks);
    ArrayNode names = p.putArray("checks");
    policy.checks().forEach(c -> names.add(c.configName()));
    p.put("max_auroc_gap", policy.maxAurocGap());
    range(p, "calibration_slope", policy.calibrationSlope());
    range(p, "oe_ratio", policy.oeRatio());
    range(p, "parity_ratio", policy.parityRatio());
    p.put("minimum_group_size", policy.minimumGroupSize());
    p.put("bootstrap_replicates", policy.bootstrapReplicates());
    ArrayNode attributes = p.putArray("attributes");
    policy.attributes().forEach(attributes::add);
    ArrayNode intersections = p.putArray("intersections");
    policy.intersections().forEach(i -> intersections.add(
        GovernanceSettings.intersectionName(i)));
  }

  /** Every flagged or reviewed check, flags first, then by adjusted p-value. */
  private static void findings(ArrayNode out, ValidationReport report) {
    List<ObjectNode> rows = new ArrayList<>();
    for (ValidationReport.EvaluatedSet set : report.sets()) {
      for (SliceVerdict v : set.result().verdicts()) {
        for (MetricRow check : v.findings()) {
          ObjectNode f = new ObjectMapper().createObjectNode();
          f.put("evaluation_set", set.name());
          f.put("attribute", check.attribute());
          f.put("group", check.group());
          putText(f, "reference", check.reference());
          f.put("verdict", check.verdict());
          f.put("check", Verdicts.check(check).configName());
          putText(f, "operating_point", check.operatingPoint());
          putNumber(f, "estimate", check.value());
          putNumber(f, "ci_low", check.ciLow());
          putNumber(f, "ci_high", check.ciHigh());
          putNumber(f, "p_holm", check.pHolm());
          rows.add(f);
        }
      }
    }
    rows.sort(Comparator.comparing((ObjectNode f) -> !f.path("verdict").asText()
            .equals(Verdict.FLAG.label()))
        .thenComparingDouble(f -> f.path("p_holm").asDouble(1)));
    rows.forEach(out::add);
  }

  private static void set(ObjectNode s, ValidationReport.EvaluatedSet set,
      GovernanceSettings policy) {
    s.put("name", set.name());
    s.put("split", set.split());
    putText(s, "site_id", set.siteId());
    Map<SliceKey, SliceVerdict> verdicts = new TreeMap<>();
    set.result().verdicts().forEach(v -> verdicts.put(v.slice(), v));
    ObjectNode counts = s.putObject("verdict_counts");
    for (Verdict v : Verdict.values()) {
      counts.put(v.label(), verdicts.values().stream().filter(x -> x.status() == v).count());
    }
    ArrayNode slices = s.putArray("slices");
    for (SliceKey key : ordered(set.result().slices(), policy)) {
      slice(slices.addObject(), key, verdicts.get(key), set.result().metrics(key));
    }
    ArrayNode metrics = s.putArray("metrics");
    for (MetricRow row : set.result().metrics()) {
      if (!row.isCurve()) {
        metric(metrics.addObject(), row);
      }
    }
    ArrayNode curves = s.putArray("curves");
    for (SliceKey key : ordered(set.curves().keySet(), policy)) {
      Curves.SliceCurves c = set.curves().get(key);
      ObjectNode curve = curves.addObject();
      curve.put("attribute", key.attribute());
      curve.put("group", key.group());
      points(curve.putArray("roc"), c.roc());
      points(curve.putArray("calibration"), c.calibration());
      points(curve.putArray("smooth_calibration"), c.smooth());
      points(curve.putArray("net_benefit"), c.netBenefit());
      points(curve.putArray("treat_all"), c.treatAll());
      ArrayNode markers = curve.putArray("operating_points");
      c.operatingPoints().forEach(m -> markers.addObject().put("label", m.label())
          .put("threshold", m.threshold()).put("fpr", m.fpr())
          .put("sensitivity", m.sensitivity()).put("net_benefit", m.netBenefit()));
    }
  }

  private static void slice(ObjectNode slice, SliceKey key, SliceVerdict v,
      List<MetricRow> rows) {
    slice.put("attribute", key.attribute());
    slice.put("group", key.group());
    slice.put("status", v.status().label());
    putText(slice, "reference", v.reference());
    boolean suppressed = true;
    ArrayNode checks = slice.putArray("checks");
    for (MetricRow row : rows) {
      if (row.isCheck()) {
        ObjectNode c = checks.addObject();
        c.put("check", Verdicts.check(row).configName());
        putText(c, "operating_point", row.operatingPoint());
        putNumber(c, "estimate", row.value());
        putNumber(c, "ci_low", row.ciLow());
        putNumber(c, "ci_high", row.ciHigh());
        putNumber(c, "p_holm", row.pHolm());
        c.put("verdict", row.verdict());
        continue;
      }
      if (row.threshold() != null || row.reference() != null
          || !SLICE_METRICS.contains(row.metric())) {
        continue;
      }
      suppressed &= row.suppressed();
      if (COUNTS.contains(row.metric()) && row.value() != null) {
        slice.put(row.metric(), row.value().longValue());
      } else {
        putNumber(slice, row.metric(), row.value());
      }
      if (row.ciLow() != null) {
        putNumber(slice, row.metric() + "_ci_low", row.ciLow());
        putNumber(slice, row.metric() + "_ci_high", row.ciHigh());
      }
    }
    slice.put("suppressed", suppressed);
    if (!key.overall()) {
      // The detectable gap comes from the slice's event and non-event counts: for a
      // suppressed slice it is shown to one decimal only, too coarse to give them back.
      double mde = v.minimumDetectableAurocGap();
      putNumber(slice, DETECTABLE_GAP, suppressed && Double.isFinite(mde)
          ? Math.round(mde * 10) / 10.0 : mde);
    }
  }

  private static void metric(ObjectNode r, MetricRow row) {
    r.put("attribute", row.attribute());
    r.put("group", row.group());
    r.put("metric", row.metric());
    putText(r, "operating_point", row.operatingPoint());
    putNumber(r, "threshold", row.threshold());
    putNumber(r, "value", row.value());
    putNumber(r, "ci_low", row.ciLow());
    putNumber(r, "ci_high", row.ciHigh());
    putNumber(r, "p_value", row.pValue());
    putNumber(r, "p_holm", row.pHolm());
    putText(r, "reference", row.reference());
    r.put("suppressed", row.suppressed());
    putText(r, "verdict", row.verdict());
  }

  private static void representativeness(ArrayNode out, List<ValidationReport.Share> shares) {
    Map<String, ObjectNode> byGroup = new LinkedHashMap<>();
    for (ValidationReport.Share share : shares) {
      ObjectNode row = byGroup.computeIfAbsent(share.attribute() + "\u0000" + share.group(),
          k -> {
            ObjectNode r = out.addObject();
            r.put("attribute", share.attribute());
            r.put("group", share.group());
            r.putObject("shares");
            return r;
          });
      putNumber((ObjectNode) row.get("shares"), share.set(), share.share());
    }
  }

  /** Overall first, then the attributes and intersections in policy order, groups by name. */
  static List<SliceKey> ordered(Collection<SliceKey> slices, GovernanceSettings policy) {
    List<String> dimensions = new ArrayList<>(List.of(SliceKey.OVERALL));
    dimensions.addAll(policy.attributes());
    policy.intersections().forEach(i -> dimensions.add(GovernanceSettings.intersectionName(i)));
    return slices.stream().sorted(Comparator
        .comparingInt((SliceKey k) -> dimensions.indexOf(k.attribute()))
        .thenComparing(SliceKey::group)).toList();
  }

  private static void range(ObjectNode parent, String name, GovernanceSettings.Range range) {
    parent.putObject(name).put("min", range.min()).put("max", range.max());
  }

  /** A count, or null when it is small (never written as a number then). */
  private static void putCount(ObjectNode node, String name, long count, int threshold) {
    if (small(count, threshold)) {
      node.putNull(name);
    } else {
      node.put(name, count);
    }
  }

  private static void putNumber(ObjectNode node, String name, Double value) {
    if (value == null || !Double.isFinite(value)) {
      node.putNull(name);
    } else {
      node.put(name, value);
    }
  }

  private static void putText(ObjectNode node, String name, String value) {
    if (value == null) {
      node.putNull(name);
    } else {
      node.put(name, value);
    }
  }

  private static void points(ArrayNode array, List<double[]> points) {
    for (double[] p : points) {
      ArrayNode point = array.addArray();
      for (double v : p) {
        point.add(v);
      }
    }
  }

  static String number(double value) {
    return String.format(java.util.Locale.ROOT, "%s", value);
  }

  static boolean judged(GovernanceSettings policy, PolicyCheck check) {
    return policy.checks().contains(check);
  }
}
