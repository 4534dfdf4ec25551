package org.fairgrove.jobs;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "The newcomer's first command: generate a synthetic population and run every pipeline"
            + " stage on it, end to end, in the working directory (./sources, ./lakehouse,"
            + " ./reports with the local profile).",
        "Re-running reuses a population generated with the same settings."})
final class DemoCommand extends TaskCommand {
  @Option(names = "--persons", paramLabel = "N", description = "Population size (synth.persons,"
      + " default 100000).")
  Long persons;

  @Override
  String defaultTask() {
    return Demo.TASK;
  }

  @Override
  List<String> overrides() {
    List<String> sets = new ArrayList<>();
    addIfSet(sets, "synth.persons", persons);
    return sets;
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Demo.Result result = Demo.run(spark, config);
    System.out.println();
    System.out.println(result.summary());
    return 0;
  }
}
