package org.fairgrove.jobs;

import java.util.List;
import org.fairgrove.pipeline.config.FairgroveConfig;
import picocli.CommandLine.Option;

/** A command that works on one prediction task, chosen with --task (conf/tasks/ID.conf). */
abstract class TaskCommand extends SparkCommand {
  @Option(names = "--task", paramLabel = "ID", description = "Prediction task: a file in"
      + " conf/tasks/ (t2d-1y, htn-1y). Omit it when --conf gives a task file of your own.")
  String task;

  /** The task used when --task is not given; null: none (a task file may come with --conf). */
  String defaultTask() {
    return null;
  }

  @Override
  List<String> configLayers() {
    String chosen = task != null ? task : defaultTask();
    return chosen == null ? List.of() : List.of(FairgroveConfig.TASKS_PREFIX + chosen);
  }
}
