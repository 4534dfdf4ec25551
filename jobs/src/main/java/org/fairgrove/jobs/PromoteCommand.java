package org.fairgrove.jobs;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.gate.Gate;
import org.fairgrove.pipeline.gate.Promotion;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.report.ReportWriter;
import org.fairgrove.pipeline.train.Registry;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "promote", mixinStandardHelpOptions = true,
    description = {
        "Make a registered model its task's champion, through the promotion gate"
            + " (governance.gate): the model and the champion are validated on the same"
            + " held-out rows and compared slice by slice; with no champion, the model's own"
            + " report must flag nothing. The decision and every comparison go to"
            + " ops.promotion_decisions.",
        "Exit codes: 0 promoted (or already champion), 3 the gate refused, 2 a usage or"
            + " configuration error, 1 a failure."})
final class PromoteCommand extends TaskCommand {
  @Parameters(paramLabel = "MODEL_ID", description = "A model id from `fairgrove models`.")
  String modelId;

  @ArgGroup(exclusive = false)
  OverrideOptions override;

  /** Promoting against the gate: both options together. */
  static final class OverrideOptions {
    @Option(names = "--override", required = true,
        description = "Promote even if the gate refuses; recorded with your account name.")
    boolean override;

    @Option(names = "--reason", required = true, paramLabel = "TEXT",
        description = "Why the gate is overridden (recorded in ops.promotion_decisions).")
    String reason;
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Promotion.Override overriding = override == null ? null
        : new Promotion.Override(System.getProperty("user.name"), override.reason);
    FairgroveConfig taskConfig = config;
    if (config.task.id() == null) {
      // The task comes from the model when neither --task nor a task file gave one.
      String taskId = new Registry(spark, new Lakehouse(spark, config.lakehouse.root()))
          .get(modelId).taskId();
      taskConfig = common.config(List.of(FairgroveConfig.TASKS_PREFIX + taskId), overrides());
    }
    Gate.Result result = Promotion.promote(spark, taskConfig, modelId, overriding, null, null);
    ReportWriter.addGate(spark, taskConfig.reports.dir(), taskConfig.task.requireId(), result,
        taskConfig.governance);
    System.out.println(result.summary(20));
    System.out.println("Decision " + result.decisionId() + " in ops.promotion_decisions.");
    return result.decision().champion() ? ExitCodes.OK : ExitCodes.GATE_REFUSED;
  }
}
