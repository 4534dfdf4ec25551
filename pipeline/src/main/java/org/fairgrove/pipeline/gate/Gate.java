package org.fairgrove.pipeline.gate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.validate.MetricRow;
import org.fairgrove.pipeline.validate.ValidationResult;
import org.fairgrove.pipeline.validate.ValidationRun;

/**
 * The promotion gate: whether a model may become its task's champion. With a champion, both
 * are validated on the same held-out rows and compared slice by slice ({@link Comparisons});
 * without one, the model's own report must flag nothing. Decides only; {@link Promotion}
 * records and acts.
 */
public final class Gate {
  private Gate() {}

  /** What the gate decided. */
  public enum Decision implements Choice {
    /** No comparison blocks: the challenger becomes champion. */
    PROMOTE("promote"),
    /** A comparison blocks: the champion stays. */
    KEEP_CHAMPION("keep_champion"),
    /** No champion, and the model's own report flags a check: no model becomes champion. */
    NOT_PROMOTED("not_promoted"),
    /** The gate refused, and a person promoted the model anyway, with a recorded reason. */
    OVERRIDE("override"),
    /** The model is the champion already (the same content gives the same model id). */
    ALREADY_CHAMPION("already_champion");

    private final String configName;

    Decision(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }

    /** Whether the model is champion after this decision. */
    public boolean champion() {
      return this == PROMOTE || this == OVERRIDE || this == ALREADY_CHAMPION;
    }
  }

  /** A decision with every comparison behind it. */
  public record Result(String decisionId, Instant decidedAt, String taskId, String championId,
      String challengerId, Decision decision, List<GateComparison> comparisons) {
    public List<GateComparison> blocking() {
      return comparisons.stream().filter(GateComparison::blocks).toList();
    }

    /** This decision, overridden. */
    Result overridden() {
      return new Result(decisionId, decidedAt, taskId, championId, challengerId,
          Decision.OVERRIDE, comparisons);
    }

    /**
     * The decision in a few lines: what blocked (at most `limit` lines of it, strongest
     * evidence first), else why not.
     */
    public String summary(int limit) {
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s %s%s: %s",
          decision.configName().toUpperCase(Locale.ROOT).replace('_', ' '), challengerId,
          championId == null || championId.equals(challengerId) ? ""
              : " against champion " + championId,
          reason()));
      blocking().stream().sorted(Comparator.comparing(GateComparison::pHolm,
              Comparator.nullsLast(Comparator.naturalOrder()))).limit(limit)
          .forEach(c -> out.append("\n  ").append(c.describe()));
      if (blocking().size() > limit) {
        out.append("\n  ... and ").append(blocking().size() - limit)
            .append(" more in ops.promotion_decisions");
      }
      return out.toString();
    }

    private String reason() {
      long insufficient = comparisons.stream()
          .filter(c -> c.outcome() == GateComparison.Outcome.INSUFFICIENT_EVIDENCE).count();
      return switch (decision) {
        case ALREADY_CHAMPION -> "it is the champion already";
        case PROMOTE -> comparisons.size() + " comparisons, none blocks"
            + (insufficient == 0 ? "" : " (" + insufficient + " cannot tell; see"
                + " ops.promotion_decisions)");
        case OVERRIDE -> blocking().size() + " blocking comparisons overridden";
        default -> blocking().size() + " of " + comparisons.size() + " comparisons block";
      };
    }
  }

  /**
   * The gate's decision on a model; writes nothing.
   *
   * @param validated the model's own validation (its report's sets) when it was just validated,
   *     or null to validate it here
   */
  public static Result decide(SparkSession spark, FairgroveConfig config, String modelId,
      List<ValidationResult> validated) {
    String taskId = config.task.requireId();
    Registry registry = new Registry(spark, new Lakehouse(spark, config.lakehouse.root()));
    registry.get(modelId);
    Optional<Registry.Entry> champion = registry.champion(taskId);
    String decisionId = UUID.randomUUID().toString();
    Instant at = Instant.now();
    if (champion.isPresent() && champion.get().modelId().equals(modelId)) {
      return new Result(decisionId, at, taskId, modelId, modelId, Decision.ALREADY_CHAMPION,
          List.of());
    }
    Progress.Stage stage = Progress.start("gate " + modelId
        + champion.map(c -> " against champion " + c.modelId()).orElse(" (no champion)"));
    List<GateComparison> comparisons = new ArrayList<>();
    if (champion.isEmpty()) {
      for (ValidationResult set : validated != null ? validated
          : ValidationRun.assess(spark, config, modelId)) {
        set.metrics().stream().filter(MetricRow::isCheck)
            .forEach(check -> comparisons.add(GateComparison.absolute(set.name(), check)));
      }
    } else {
      comparisons.addAll(Comparisons.of(ValidationRun.assessPaired(spark, config,
          champion.get().modelId(), modelId, validated), config.governance));
    }
    boolean blocked = comparisons.stream().anyMatch(GateComparison::blocks);
    Decision decision = !blocked ? Decision.PROMOTE
        : champion.isEmpty() ? Decision.NOT_PROMOTED : Decision.KEEP_CHAMPION;
    stage.done(comparisons.size());
    return new Result(decisionId, at, taskId, champion.map(Registry.Entry::modelId).orElse(null),
        modelId, decision, List.copyOf(comparisons));
  }
}
