package org.fairgrove.pipeline.report;

import static org.fairgrove.pipeline.core.SmallCells.small;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.SliceKey;
import org.fairgrove.pipeline.validate.SliceVerdict;

/** report.json: the whole content of the report; the HTML, PDF and model card render it. */
final class ReportJson {
  /** Per-slice metrics copied into each slice's summary (the full long form is in "metrics"). */
  static final List<String> SLICE_METRICS = List.of("n", "events", "prevalence", "auroc",
      "auprc", "brier", "scaled_brier", "oe_ratio", "calibration_intercept",
      "calibration_slope", "ici", "e50", "e90");

  private static final List<String> COUNTS = List.of("n", "events");

  private ReportJson() {}

  static ObjectNode build(FairgroveConfig config, String runId, Instant generatedAt,
      Registry.Entry model, ReportFacts facts, List<ValidationRun.EvaluatedSet> sets,
      List<ValidationRun.Share> shares) {
    ObjectMapper mapper = new ObjectMapper();
    GovernanceSettings policy = config.governance;
    int threshold = policy.smallCellThreshold();
    ObjectNode root = mapper.createObjectNode();
    root.put("report_version", ReportWriter.REPORT_VERSION);
    root.put("run_id", runId);
    root.put("generated_at", generatedAt.toString());

    ObjectNode task = root.putObject("task");
    task.put("id", model.taskId());
    task.put("description", config.task.description());
    task.put("time_at_risk_start_day", config.task.timeAtRisk().startDay());
    task.put("time_at_risk_end_day", config.task.timeAtRisk().endDay());

    ObjectNode m = root.putObject("model");
    m.put("model_id", model.modelId());
    m.put("engine", model.engine());
    m.put("status", model.status());
    m.put("code_version", model.codeVersion());
    m.put("dictionary_hash", model.dictionaryHash());
    m.put("recalibrated", model.recalibration() != null);
    if (facts.protectedAttributesAsInputs() == null) {
      m.putNull("protected_attributes_as_inputs");
    } else {
      m.put("protected_attributes_as_inputs", facts.protectedAttributesAsInputs());
    }
    ArrayNode top = m.putArray("top_features");
    facts.topFeatures().forEach(e -> top.addObject().put("feature", e.getKey())
        .put("share", e.getValue()));

    ObjectNode development = root.putObject("development");
    putCount(development, "rows", facts.developmentRows(), threshold);
    putCount(development, "events", facts.developmentEvents(), threshold);
    putCount(development, "non_events", facts.developmentRows() - facts.developmentEvents(),
        threshold);
    if (facts.developmentYears() != null) {
      development.put("first_year", facts.developmentYears()[0]);
      development.put("last_year", facts.developmentYears()[1]);
    }
    ObjectNode trainingAuroc = development.putObject("auroc_by_split");
    facts.trainingAuroc().forEach(trainingAuroc::put);

    ObjectNode p = root.putObject("policy");
    p.put("small_cell_threshold", threshold);
    ArrayNode thresholds = p.putArray("thresholds");
    policy.thresholds().forEach(thresholds::add);
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

    ArrayNode flags = root.putArray("flags");
    ArrayNode evaluationSets = root.putArray("evaluation_sets");
    for (ValidationRun.EvaluatedSet set : sets) {
      ObjectNode s = evaluationSets.addObject();
      s.put("name", set.name());
      s.put("split", set.split());
      if (set.siteId() == null) {
        s.putNull("site_id");
      } else {
        s.put("site_id", set.siteId());
      }
      Map<SliceKey, SliceVerdict> verdicts = new TreeMap<>();
      set.result().verdicts().forEach(v -> verdicts.put(v.slice(), v));
      ArrayNode slices = s.putArray("slices");
      for (SliceKey key : ordered(set.result().slices(), policy)) {
        ObjectNode slice = slices.addObject();
        slice.put("attribute", key.attribute());
        slice.put("group", key.group());
        SliceVerdict v = verdicts.get(key);
        slice.put("status", v == null ? "overall" : v.status());
        putText(slice, "reference", v == null ? null : v.reference());
        ArrayNode reasons = slice.putArray("reasons");
        if (v != null) {
          v.reasons().forEach(reasons::add);
        }
        boolean suppressed = true;
        for (MetricRow row : set.result().metrics(key)) {
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
        if (v != null) {
          // The detectable gap comes from the slice's event and non-event counts: for a
          // suppressed slice it is shown to one decimal only, too coarse to give them back.
          double mde = v.minimumDetectableAurocGap();
          putNumber(slice, "minimum_detectable_auroc_gap", suppressed && Double.isFinite(mde)
              ? Math.round(mde * 10) / 10.0 : mde);
        }
        if (v != null && v.status().equals(SliceVerdict.FLAG)) {
          ObjectNode flag = flags.addObject();
          flag.put("evaluation_set", set.name());
          flag.put("attribute", key.attribute());
          flag.put("group", key.group());
          flag.put("reference", v.reference());
          ArrayNode why = flag.putArray("reasons");
          v.reasons().forEach(why::add);
        }
      }
      ArrayNode metrics = s.putArray("metrics");
      for (MetricRow row : set.result().metrics()) {
        ObjectNode r = metrics.addObject();
        r.put("attribute", row.attribute());
        r.put("group", row.group());
        r.put("metric", row.metric());
        putNumber(r, "threshold", row.threshold());
        putNumber(r, "value", row.value());
        putNumber(r, "ci_low", row.ciLow());
        putNumber(r, "ci_high", row.ciHigh());
        putNumber(r, "p_value", row.pValue());
        putNumber(r, "p_holm", row.pHolm());
        putText(r, "reference", row.reference());
        r.put("suppressed", row.suppressed());
      }
      ArrayNode curves = s.putArray("curves");
      for (SliceKey key : ordered(set.curveBins().keySet(), policy)) {
        List<Curves.Pooled> fine = Curves.forRoc(set.curveBins().get(key), threshold);
        if (fine.size() < 2) {
          continue;
        }
        ObjectNode c = curves.addObject();
        c.put("attribute", key.attribute());
        c.put("group", key.group());
        points(c.putArray("roc"), Curves.roc(fine));
        points(c.putArray("calibration"), Curves.calibration(
            Curves.forCalibration(set.curveBins().get(key), threshold)));
      }
    }

    ArrayNode representativeness = root.putArray("representativeness");
    Map<String, ObjectNode> byGroup = new LinkedHashMap<>();
    for (ValidationRun.Share share : shares) {
      ObjectNode row = byGroup.computeIfAbsent(share.attribute() + "\u0000" + share.group(),
          k -> {
            ObjectNode r = representativeness.addObject();
            r.put("attribute", share.attribute());
            r.put("group", share.group());
            r.putObject("shares");
            return r;
          });
      putNumber((ObjectNode) row.get("shares"), share.set(), share.share());
    }
    return root;
  }

  /** Overall first, then the attributes and intersections in policy order, groups by name. */
  static List<SliceKey> ordered(java.util.Collection<SliceKey> slices, GovernanceSettings policy) {
    List<String> dimensions = new java.util.ArrayList<>(List.of(SliceKey.OVERALL));
    dimensions.addAll(policy.attributes());
    policy.intersections().forEach(i -> dimensions.add(GovernanceSettings.intersectionName(i)));
    return slices.stream().sorted(java.util.Comparator
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
    points.forEach(xy -> array.addArray().add(xy[0]).add(xy[1]));
  }
}
