package org.fairgrove.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {
        "Generate a synthetic OMOP CDM v5.4-shaped population (deterministic by seed) as CSV or"
            + " Parquet, one folder per site, and its ground truth (true onset and yearly true"
            + " risk) as Delta tables truth.person_onset and truth.person_year_risk.",
        "Biases to inject are set in config (synth.biases).",
        "For nightly runs, write the population as its sites know it on a day (--as-of), then"
            + " each next batch of the same population (same --persons, --sites and --seed):"
            + " --after the previous batch's as-of day, into its own folder."})
final class SynthCommand extends SparkCommand {
  @Option(names = "--persons", paramLabel = "N", description = "Population size (synth.persons).")
  Long persons;

  @Option(names = "--sites", paramLabel = "K", description = "Number of sites (synth.sites).")
  Integer sites;

  @Option(names = "--seed", paramLabel = "S", description = "Master seed (run.seed).")
  Long seed;

  @Option(names = "--format", paramLabel = "csv|parquet", description = "Output format"
      + " (synth.format).")
  String format;

  @Option(names = "--as-of", paramLabel = "DATE", description = "Release the records known on"
      + " this day (synth.as-of; default synth.end-date).")
  String asOf;

  @Option(names = "--after", paramLabel = "DATE", description = "Write the next batch: only what"
      + " changed after this earlier as-of day (synth.after).")
  String after;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (synth.out); must be"
      + " empty or absent.")
  String out;

  @Override
  List<String> overrides() {
    List<String> sets = new ArrayList<>();
    addIfSet(sets, "synth.persons", persons);
    addIfSet(sets, "synth.sites", sites);
    addIfSet(sets, "run.seed", seed);
    addIfSet(sets, "synth.format", format);
    addIfSet(sets, "synth.out", out);
    addIfSet(sets, "synth.as-of", asOf);
    addIfSet(sets, "synth.after", after);
    return sets;
  }

  @Override
  int run(SparkSession spark, FairgroveConfig config) {
    SynthResult result = SyntheticPopulation.generate(spark, config);
    System.out.printf("Synthetic population: %s persons, %s, seed %d, %.1f s%n",
        Progress.count(result.persons()), Progress.count(config.synth.sites(), "site"),
        config.run.seed(), result.seconds());
    System.out.println(config.synth.after() == null
        ? "Released:     everything known on " + config.synth.asOf()
        : "Released:     a batch of what changed after " + config.synth.after() + ", as of "
            + config.synth.asOf());
    for (Map.Entry<String, Long> table : result.rowsPerTable().entrySet()) {
      System.out.printf("  %-22s %,15d rows%n", table.getKey(), table.getValue());
    }
    System.out.println("Sources:      " + config.synth.out());
    if (config.synth.after() == null) {
      System.out.println("Ground truth: truth.person_onset, truth.person_year_risk in "
          + config.lakehouse.root());
    }
    return 0;
  }
}
