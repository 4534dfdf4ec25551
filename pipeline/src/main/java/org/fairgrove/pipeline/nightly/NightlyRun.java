package org.fairgrove.pipeline.nightly;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.gate.Gate;
import org.fairgrove.pipeline.ingest.SourceFormat;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.stage.Stage;
import org.fairgrove.pipeline.stage.StageContext;
import org.fairgrove.pipeline.stage.Stages;

/**
 * `fairgrove nightly`: the stages of {@link Stages#NIGHTLY} for one task, under a lock, each
 * recorded in ops.nightly_runs as it ends. A run started again with the same run id (or
 * --resume) skips the stages it completed, taking their recorded outputs, and re-runs the one it
 * was in: every stage is a set of Delta transactions that gives the same tables when repeated,
 * and the gate reuses the decision the run recorded, so a resumed run ends as an uninterrupted
 * one would. A failing stage is recorded as failed and its error goes up (exit code 1, or 2 for
 * an error the user can fix); the run has no end row then, and can be resumed.
 */
public final class NightlyRun {
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private NightlyRun() {}

  /** How a run ended; each has its exit code (documented in the README). */
  public enum Outcome implements Choice {
    /** The challenger passed the gate and is champion. */
    PROMOTED("promoted", 0),
    /** The gate refused the challenger; the champion (or no model) stays. */
    KEPT_CHAMPION("kept_champion", 3),
    /** No new batch and the data already gave a model, or training gave the champion again. */
    NOTHING_NEW("nothing_new", 4),
    /** Another run of the task holds the lock; nothing was done. */
    LOCK_HELD("lock_held", 5);

    private final String configName;
    private final int exitCode;

    Outcome(String configName, int exitCode) {
      this.configName = configName;
      this.exitCode = exitCode;
    }

    @Override
    public String configName() {
      return configName;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /** What a run did: its id, how it ended, and a line per stage. */
  public record Result(String runId, Outcome outcome, List<String> lines) {}

  /**
   * @param runId the run to start or continue; null for a new run (or, with resume, the
   *     task's latest unfinished run)
   */
  public static Result run(SparkSession spark, FairgroveConfig config, String runId,
      boolean resume) {
    String taskId = config.task.requireId();
    SourceFormat.named(config.nightly.sourceFormat());
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    String id = runId != null ? runId : resume
        ? RunLog.unfinished(lakehouse, taskId).orElseThrow(() -> Errors.nothingToResume(taskId))
        : taskId + "-" + RUN_TIME.format(Instant.now());
    RunLock.Attempt lock = RunLock.acquire(spark, lakehouse.root(), taskId, id);
    if (lock.lock() == null) {
      return new Result(id, Outcome.LOCK_HELD, List.of("Another nightly run of task " + taskId
          + " holds the lock (" + lock.holder().describe() + "); this one did nothing."));
    }
    try (RunLock held = lock.lock()) {
      return stages(spark, config, lakehouse, id, taskId);
    }
  }

  private static Result stages(SparkSession spark, FairgroveConfig config, Lakehouse lakehouse,
      String runId, String taskId) {
    RunLog log = new RunLog(spark, lakehouse, runId, taskId);
    List<String> lines = new ArrayList<>();
    var ended = log.ended();
    if (ended.isPresent()) {
      lines.add("Run " + runId + " ended already: " + ended.get().outcome() + ".");
      return new Result(runId, Choice.named(Outcome.class, ended.get().outcome()), lines);
    }
    Map<String, Map<String, String>> completed = log.completed();
    lines.add((completed.isEmpty() ? "Run " : "Resuming run ") + runId + ", task " + taskId);
    Instant started = Instant.now();
    StageContext context = new StageContext(spark, config, runId);
    List<Stage<?>> stages = Stages.NIGHTLY;
    for (int i = 0; i < stages.size(); i++) {
      Stage<?> stage = stages.get(i);
      if (completed.containsKey(stage.name())) {
        stage.resumed(context, completed.get(stage.name()));
        lines.add(line(stage, "done earlier in this run"));
      } else {
        runStage(stage, i, context, log, lines);
      }
      if (stage == Stages.INGEST_LANDED && nothingNew(context, lakehouse, taskId, runId)) {
        return end(log, stages.size(), started, runId, Outcome.NOTHING_NEW, lines,
            "No new batch in " + config.nightly.landing() + ", and an earlier run trained on"
                + " the data as it is.");
      }
    }
    Gate.Decision decision = Choice.named(Gate.Decision.class,
        context.output(Stages.GATE.name(), "decision"));
    Outcome outcome = decision == Gate.Decision.ALREADY_CHAMPION ? Outcome.NOTHING_NEW
        : decision.champion() ? Outcome.PROMOTED : Outcome.KEPT_CHAMPION;
    return end(log, stages.size(), started, runId, outcome, lines, null);
  }

  private static void runStage(Stage<?> stage, int index, StageContext context, RunLog log,
      List<String> lines) {
    Instant started = Instant.now();
    Progress.info("nightly: stage %s", stage.name());
    Stage.Completed<?> done;
    try {
      done = stage.run(context);
    } catch (RuntimeException e) {
      log.failed(stage.name(), index, started, e.getMessage());
      throw e;
    }
    log.stage(index, done);
    lines.add(line(stage, done.summary()));
  }

  private static boolean nothingNew(StageContext context, Lakehouse lakehouse, String taskId,
      String runId) {
    return context.output(Stages.INGEST_LANDED.name(), "new_batches").equals("0")
        && RunLog.trainedBefore(lakehouse, taskId, runId);
  }

  private static Result end(RunLog log, int stages, Instant started, String runId,
      Outcome outcome, List<String> lines, String why) {
    String summary = outcome.configName() + (why == null ? "" : ": " + why);
    log.end(stages, started, outcome.configName(), outcome.exitCode(), summary);
    lines.add(String.format(Locale.ROOT, "Run %s: %s (exit code %d)", runId, summary,
        outcome.exitCode()));
    return new Result(runId, outcome, lines);
  }

  private static String line(Stage<?> stage, String summary) {
    return String.format(Locale.ROOT, "%-9s ", stage.name()) + summary.replace("\n", "\n          ");
  }
}
