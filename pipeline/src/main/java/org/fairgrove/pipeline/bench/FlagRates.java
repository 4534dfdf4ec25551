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
 * The verdict procedure measured as a statistician would, on whole synthetic populations written
 * straight into silver. Each replicate trains a model on a development population, then
 * validates it on a second population of the same size, once as generated and once with one
 * group's diagnoses under-recorded (the same seed, so the two differ by the bias alone). False-flag
 * rate: the share of unbiased validations with any flag. Power: the share of biased validations
 * that flag the affected group, in any evaluation set. Both with Wilson 95% intervals.
 *
 * <ul>
 *   <li>The model takes race and ethnicity as inputs: the generator gives them their own hazard,
 *       so a model blind to them is truly miscalibrated for some groups, and flagging that is no
 *       false flag. With them, every group is within the policy unless a bias is injected.
 *   <li>The bias is injected into the validation population only: a model trained on the same
 *       under-recorded labels learns them, and no check on those labels can see it (measured:
 *       under-diagnosis of half the Black patients' onsets, in training and validation alike,
 *       moved their O/E from about 1.2 to 0.73 at 100,000 persons, within the reach of the
 *       0.8 limit's CI).
 *   <li>The validation population's persons are nearly all held out (test 90%), and its
 *       features are built in the model's dictionary.
 *   <li>One trained configuration (depth 3, learning rate 0.1, early stopping: the search's pick
 *       at 100,000 persons, and one that does not overfit small populations, whose too extreme
 *       risks the calibration slope check would rightly flag) and 100 bootstrap replicates keep
 *       a run to minutes: the default checks take their standard errors from DeLong, the Wald
 *       fit and the event count, not the bootstrap, so the verdicts are the shipped procedure's.
 * </ul>
 */
final class FlagRates {
  /** Synthetic bias attributes and the slicing attributes that hold the same groups. */
  private static final Map<String, String> SLICE_ATTRIBUTE = Map.of("site", "site_id",
      "age-band", "age_band");

  /** The validation population's seed is the development's plus this (different persons). */
  private static final long VALIDATION_SEED_OFFSET = 1_000_003;

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
      FairgroveConfig development = config.with(List.of("run.seed=" + seed, "synth.biases=[]",
          "task.train.search.trials=1", "task.train.search.max-depth=[3]",
          "task.train.search.learning-rate=[0.1]", "task.train.search.min-child-weight=[5]",
          "governance.bootstrap-replicates=100",
          "task.features.protected-attributes-as-inputs=true"));
      Trained model = develop(spark, development);
      for (boolean biased : List.of(false, true)) {
        FairgroveConfig run = development.with(List.of(
            "run.seed=" + (seed + VALIDATION_SEED_OFFSET),
            "synth.biases=" + (biased ? bias : "[]"), "task.split.test-fraction=0.9",
            "task.split.validation-fraction=0.04",
            "task.features.dictionary=" + model.dictionaryHash()));
        List<ValidationResult> sets = validatePopulation(spark, run, model.modelId());
        ObjectNode row = runs.addObject().put("seed", seed).put("biased", biased);
        int flags = 0;
        boolean affectedFlagged = false;
        ArrayNode flagged = row.putArray("flagged");
        for (ValidationResult set : sets) {
          for (SliceVerdict v : set.verdicts()) {
            if (v.status() == Verdict.FLAG) {
              flags++;
              affectedFlagged |= v.slice().equals(affected);
              v.findings().stream().filter(c -> c.verdict().equals(Verdict.FLAG.label()))
                  .forEach(c -> flagged.add(String.format(Locale.ROOT, "%s %s %s %.3f (%.3f-%.3f)",
                      set.name(), v.slice(), c.metric(), c.value(), c.ciLow(), c.ciHigh())));
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
        // The run's record as the JSON holds it: a simulation stopped early (an hour or more at
        // 100,000 persons) still leaves its finished runs to be combined with a later one's.
        Progress.info("flag-rates run: %s", row);
      }
    }
    rate(details.putObject("false_flag_rate"), flaggedUnbiased, settings.replicates());
    rate(details.putObject("power"), detected, settings.replicates());
    details.put("bias", bias);
    details.put("affected_slice", affected.toString());
    return new BenchStage.Outcome(2L * settings.replicates(), details);
  }

  /** A model and the dictionary its features are in. */
  private record Trained(String modelId, String dictionaryHash) {}

  private static Trained develop(SparkSession spark, FairgroveConfig config) {
    SyntheticPopulation.generateIntoSilver(spark, config);
    Cohort.build(spark, config);
    String dictionary = Features.build(spark, config).dictionaryHash();
    return new Trained(Trainer.train(spark, config).modelId(), dictionary);
  }

  private static List<ValidationResult> validatePopulation(SparkSession spark,
      FairgroveConfig config, String modelId) {
    SyntheticPopulation.generateIntoSilver(spark, config);
    Cohort.build(spark, config);
    Features.build(spark, config);
    return ValidationRun.assess(spark, config, modelId);
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
