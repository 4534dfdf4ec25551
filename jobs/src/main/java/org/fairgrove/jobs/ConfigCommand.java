package org.fairgrove.jobs;

import java.util.List;
import java.util.concurrent.Callable;
import org.fairgrove.pipeline.config.FairgroveConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Check the configuration and print every key: its effective value, where the"
        + " value came from, and what it means. Starts no Spark.")
final class ConfigCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--task", paramLabel = "ID", description = "Include a task's settings"
      + " (conf/tasks/ID.conf).")
  String task;

  @Option(names = "--render", description = "Print the effective configuration as HOCON instead.")
  boolean render;

  @Override
  public Integer call() {
    FairgroveConfig config = common.config(
        task == null ? List.of() : List.of(FairgroveConfig.TASKS_PREFIX + task), List.of());
    if (render) {
      System.out.println(config.render());
      return 0;
    }
    for (FairgroveConfig.KeyDescription key : config.describeKeys()) {
      System.out.println(key.key() + " = " + key.value() + "    (" + key.origin() + ")");
      if (!key.help().isEmpty()) {
        System.out.println("    " + key.help());
      }
    }
    return 0;
  }
}
