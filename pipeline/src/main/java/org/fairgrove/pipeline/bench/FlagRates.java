package org.fairgrove.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.config.BenchSettings;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.train.Trainer;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.SliceKey;
import org.fairgrove.pipeline.validate.SliceVerdict;
import org.fairgrove.pipeline.validate.ValidationResult;
import org.fairgrove.pipeline.validate.ValidationRun;
import org.fairgrove.pipeline.validate.Verdict;

/**
 * The verdict procedure measured as a statistician would: whole populations generated,
 * ingested straight into silver, cohorted, featurised, trained and validated, once without
 * injected bias and once with one group's diagnoses under-recorded (the same seed, so the two
 * differ by the bias alone). False-flag rate: the share of unbiased runs with any flag. Power:
 * the share of biased runs that flag the affected group, in any evaluation set. Both with
 * Wilson 95% intervals.
 *
 * <p>To keep a run to minutes, each trains one configuration (the search's first grid point) and
 * draws 100 bootstrap replicates: the default checks (AUROC gap, calibration slope, O/E) take
 * their standard errors from DeLong, the Wald fit and the event count, not the bootstrap, so
 * the verdicts are the shipped procedure's.
 */
final class FlagRates {
  /** Synthetic bias attributes and the slicing attributes that hold the same groups. */
  private static final Map<String, String> SLICE_ATTRIBUTE = Map.of("site", "site_id",
      "age-band", "age_band");

  private FlagRates() {}

  static BenchStage.Outcome run(SparkSession spark, FairgroveConfig config) {
    BenchSettings.FlagRates settings = config.bench.flagRates();
    SliceKey affected = new SliceKey(SLICE_ATTRIBUTE.getOrDefault(settings.attribute(),
        settings.attribute()), settings.group());
    String bias = String.format(Locale.ROOT, "[{kind = \"under-diagnosis\", attribute = \"%s\","
        + " value = \"%s\", strength = %s}]", settings.attribute(), settings.group(),
        settings.strength());
    ObjectMapper json = new ObjectMapper();
    ObjectNode details = json.createObjectNode();
    ArrayNode runs = details.putArray("runs");
    int flaggedUnbiased = 0;
    int detected = 0;
    for (int r = 0; r < settings.replicates(); r++) {
      long seed = config.run.seed() + r;
      for (boolean biased : List.of(false, true)) {
        FairgroveConfig run = config.with(List.of("run.seed=" + seed,
            "synth.biases=" + (biased ? bias : "[]"), "task.train.search.trials=1",
            "governance.bootstrap-replicates=100"));
        List<ValidationResult> sets = validatePopulation(spark, run);
        ObjectNode row = runs.addObject().put("seed", seed).put("biased", biased);
        int flags = 0;
        boolean affectedFlagged = false;
        for (ValidationResult set : sets) {
          for (SliceVerdict v : set.verdicts()) {
            if (v.status() == Verdict.FLAG) {
              flags++;
              affectedFlagged |= v.slice().equals(affected);
            }
          }
          describeAffected(row.putObject(set.name()), set, affected);
        }
        row.put("flagged_slices", flags);
        row.put("affected_group_flagged", affectedFlagged);
        if (!biased && flags > 0) {
          flaggedUnbiased++;
        }
        if (biased && affectedFlagged) {
          detected++;
        }
        Progress.info("flag-rates: seed %d %s: %d flagged slices%s", seed,
            biased ? "biased" : "unbiased", flags, biased ? (affectedFlagged
                ? ", affected group flagged" : ", affected group not flagged") : "");
      }
    }
    rate(details.putObject("false_flag_rate"), flaggedUnbiased, settings.replicates());
    rate(details.putObject("power"), detected, settings.replicates());
    details.put("bias", bias);
    details.put("affected_slice", affected.toString());
    return new BenchStage.Outcome(2L * settings.replicates(), details);
  }

  private static List<ValidationResult> validatePopulation(SparkSession spark,
      FairgroveConfig config) {
    SyntheticPopulation.generateIntoSilver(spark, config);
    Cohort.build(spark, config);
    Features.build(spark, config);
    return ValidationRun.assess(spark, config, Trainer.train(spark, config).modelId());
  }

  /** The affected group's verdict and O/E in one evaluation set. */
  private static void describeAffected(ObjectNode out, ValidationResult set, SliceKey affected) {
    set.verdicts().stream().filter(v -> v.slice().equals(affected)).findFirst()
        .ifPresent(v -> out.put("status", v.status().label()));
    for (MetricRow row : set.metrics(affected)) {
      if (row.metric().equals("check_oe_ratio") && row.value() != null) {
        out.put("oe_ratio", row.value()).put("oe_ci_low", row.ciLow())
            .put("oe_ci_high", row.ciHigh());
        if (row.pHolm() != null) {
          out.put("oe_p_holm", row.pHolm());
        }
      }
    }
  }

  /** k of n with its Wilson score 95% interval. */
  static void rate(ObjectNode out, int k, int n) {
    double z = 1.959963984540054;
    double p = (double) k / n;
    double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
    double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
    out.put("count", k).put("runs", n).put("rate", p).put("ci_low", Math.max(0, centre - half))
        .put("ci_high", Math.min(1, centre + half));
  }
}
