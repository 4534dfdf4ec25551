package org.fairgrove.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.bench.BenchStages;
import org.fairgrove.pipeline.bench.Benchmark;
import org.fairgrove.pipeline.config.FairgroveConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Time every stage that exists at several population sizes and write JSON"
        + " (stage, size, seconds, rows/s, peak memory) to bench.out.")
final class BenchCommand extends TaskCommand {
  @Override
  String defaultTask() {
    return org.fairgrove.pipeline.demo.Demo.TASK;
  }

  @Option(names = "--sizes", split = ",", paramLabel = "N[,N...]",
      description = "Population sizes in persons (bench.sizes), e.g. 10000,100000,1000000.")
  List<Long> sizes;

  @Option(names = "--stages", split = ",", paramLabel = "STAGE[,STAGE...]",
      description = "Only these stages (bench.stages). Stages: ${COMPLETION-CANDIDATES}."
          + " These run only when named: synth-fhir and ingest-fhir (the population as FHIR"
          + " Bulk Data), synth-silver (silver without ingest), flag-rates and nightly.",
      completionCandidates = StageNames.class)
  List<String> stages;

  @Option(names = "--out", paramLabel = "DIR", description = "Results folder (bench.out).")
  String out;

  static final class StageNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    StageNames() {
      super(BenchStages.all().stream().map(s -> s.name()).toList());
    }
  }

  @Override
  List<String> overrides() {
    List<String> sets = new ArrayList<>();
    if (sizes != null) {
      sets.add("bench.sizes=" + sizes);
    }
    if (stages != null) {
      sets.add("bench.stages=[" + String.join(",", stages.stream()
          .map(s -> "\"" + s + "\"").toList()) + "]");
    }
    addIfSet(sets, "bench.out", out);
    return sets;
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    Path results = Benchmark.run(spark, config, BenchStages.all());
    System.out.println("Benchmark results: " + results);
    return 0;
  }
}
