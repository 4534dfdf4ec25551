package org.fairgrove.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fairgrove.pipeline.config.FairgroveConfig;
import picocli.CommandLine.Option;

/** Options every command takes: which configuration, overrides, and how much to say. */
final class CommonOptions {
  /** bin/fairgrove sets this to "local"; spark-submit users pass --conf. */
  static final String CONF_ENV = "FAIRGROVE_CONF";

  @Option(names = "--conf", paramLabel = "PROFILE|FILE",
      description = "Configuration applied over conf/base.conf, in order: a bundled profile"
          + " (local, cluster, nightly) or a HOCON file. Default: $" + CONF_ENV + " if set.")
  List<String> confs = new ArrayList<>();

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one configuration key, e.g. --set synth.persons=5000. Repeatable;"
          + " applied last.")
  List<String> sets = new ArrayList<>();

  @Option(names = {"-v", "--verbose"}, description = "More detail: debug progress and Spark's"
      + " own log lines, stack traces on errors.")
  boolean verbose;

  /**
   * The effective configuration: profiles, then the command's own config layers (a task), then
   * --set, then the command's own option values.
   */
  FairgroveConfig config(List<String> commandConfs, List<String> commandSets) {
    List<String> profiles = new ArrayList<>(confs);
    if (profiles.isEmpty() && System.getenv(CONF_ENV) != null
        && !System.getenv(CONF_ENV).isBlank()) {
      profiles = new ArrayList<>(
          Arrays.stream(System.getenv(CONF_ENV).split(",")).map(String::trim).toList());
    }
    profiles.addAll(commandConfs);
    List<String> all = new ArrayList<>(sets);
    all.addAll(commandSets);
    return FairgroveConfig.load(profiles, all);
  }
}
