package org.fairgrove.jobs;

import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.nightly.NightlyRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = {
        "The scheduled retraining of one task: ingest the batches waiting in nightly.landing,"
            + " rebuild cohort and features, train a challenger, validate it (report), gate it"
            + " against the champion on the same held-out rows, promote it or keep the"
            + " champion, score with the champion, and validate the champion on today's rows"
            + " (a time series in ops.validation_metrics). Each stage is recorded in"
            + " ops.nightly_runs; a killed run continues with --resume (or --run-id ID).",
        "Exit codes: 0 promoted, 3 the gate kept the champion, 4 nothing new to train on,"
            + " 5 another run holds the lock, 1 a stage failed (resumable), 2 a usage or"
            + " configuration error."})
final class NightlyCommand extends TaskCommand {
  @Option(names = "--run-id", paramLabel = "ID", description = "Start or continue this run"
      + " (default: a new id, <task>-<UTC time>).")
  String runId;

  @Option(names = "--resume", description = "Continue the task's latest unfinished run.")
  boolean resume;

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    NightlyRun.Result result = NightlyRun.run(spark, config, runId, resume);
    result.lines().forEach(System.out::println);
    return result.outcome().exitCode();
  }
}
