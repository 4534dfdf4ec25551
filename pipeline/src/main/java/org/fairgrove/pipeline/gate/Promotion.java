package org.fairgrove.pipeline.gate;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.validate.ValidationResult;

/**
 * `fairgrove promote` and the promote step of nightly and the demo: the gate decides, the
 * decision and every comparison go to ops.promotion_decisions, and the registry changes only
 * when the gate lets the model through or a person overrides it with a reason. There is no
 * other way to make a model champion.
 */
public final class Promotion {
  private Promotion() {}

  /** A person's decision to promote against the gate: who, and why. */
  public record Override(String by, String reason) {
    public Override {
      if (reason == null || reason.isBlank()) {
        throw Errors.overrideWithoutReason();
      }
    }
  }

  /**
   * @param override null to follow the gate
   * @param runId the nightly run asking, null from the command line
   * @param validated the model's own validation when it was just validated, else null
   */
  public static Gate.Result promote(SparkSession spark, FairgroveConfig config, String modelId,
      Override override, String runId, List<ValidationResult> validated) {
    Gate.Result result = Gate.decide(spark, config, modelId, validated);
    if (override != null && !result.decision().champion()) {
      result = result.overridden();
    }
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    record(lakehouse, result, override, runId);
    if (result.decision() == Gate.Decision.PROMOTE
        || result.decision() == Gate.Decision.OVERRIDE) {
      new Registry(spark, lakehouse).promote(modelId);
    }
    return result;
  }

  /**
   * The promote step of a nightly run: the decision the run recorded for the model when an
   * earlier process of the run got that far (its registry change completed if the process died
   * before making it), else a new decision. A resumed run thus ends with the decision an
   * uninterrupted one makes.
   */
  public static Gate.Result promoteInRun(SparkSession spark, FairgroveConfig config,
      String modelId, String runId, List<ValidationResult> validated) {
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Optional<Gate.Result> earlier = recorded(lakehouse, runId, modelId);
    if (earlier.isEmpty()) {
      return promote(spark, config, modelId, null, runId, validated);
    }
    Registry registry = new Registry(spark, lakehouse);
    boolean champion = registry.champion(earlier.get().taskId())
        .map(c -> c.modelId().equals(modelId)).orElse(false);
    if (earlier.get().decision().champion() && !champion) {
      registry.promote(modelId);
    }
    return earlier.get();
  }

  /** A decision recorded for the model by the run, with its comparisons. */
  private static Optional<Gate.Result> recorded(Lakehouse lakehouse, String runId,
      String modelId) {
    if (!lakehouse.exists(Tables.OPS_PROMOTION_DECISIONS)) {
      return Optional.empty();
    }
    List<Row> rows = lakehouse.read(Tables.OPS_PROMOTION_DECISIONS)
        .filter(col("run_id").equalTo(runId).and(col("challenger_model_id").equalTo(modelId)))
        .collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row first = rows.get(0);
    List<GateComparison> comparisons = new ArrayList<>();
    for (Row r : rows) {
      if (r.getAs("criterion") != null) {
        comparisons.add(GateComparison.of(r));
      }
    }
    return Optional.of(new Gate.Result(first.getAs("decision_id"),
        first.<Timestamp>getAs("decided_at").toInstant(), first.getAs("task_id"),
        first.getAs("champion_model_id"), modelId,
        Choice.named(Gate.Decision.class, first.getAs("decision")), List.copyOf(comparisons)));
  }

  private static void record(Lakehouse lakehouse, Gate.Result result, Override override,
      String runId) {
    boolean overridden = result.decision() == Gate.Decision.OVERRIDE;
    List<Object> decision = Arrays.asList(result.decisionId(),
        Timestamp.from(result.decidedAt()), result.taskId(), runId, result.championId(),
        result.challengerId(), result.decision().configName(),
        overridden ? override.by() : null, overridden ? override.reason() : null);
    List<Row> rows = new ArrayList<>();
    for (GateComparison c : result.comparisons()) {
      List<Object> values = new ArrayList<>(decision);
      values.addAll(Arrays.asList(c.set(), c.slice().attribute(), c.slice().group(),
          c.reference(), c.criterion().configName(), c.metric(), c.operatingPoint(),
          c.champion(), c.challenger(), c.difference(), c.ciLow(), c.ciHigh(), c.pValue(),
          c.pHolm(), c.challengerVerdict(), c.outcome().configName(), c.blocks()));
      rows.add(RowFactory.create(values.toArray()));
    }
    if (rows.isEmpty()) {
      List<Object> values = new ArrayList<>(decision);
      values.addAll(Arrays.asList(new Object[17]));
      rows.add(RowFactory.create(values.toArray()));
    }
    lakehouse.write(Tables.OPS_PROMOTION_DECISIONS, rows);
  }
}
