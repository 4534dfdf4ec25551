package org.fairgrove.pipeline.stage;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Table;

/**
 * One step of the pipeline, the same for the demo, nightly and the command line: a context in,
 * a typed result out, a summary of it that applies the small-cell rule, and the outputs a later
 * stage (or a resumed run) needs, as text.
 *
 * @param inputs the tables whose Delta versions the stage reads, recorded with each run
 * @param summary the result in a line or two (counts shown by the small-cell rule)
 */
public record Stage<R>(String name, List<Table> inputs, Function<StageContext, R> work,
    BiFunction<R, FairgroveConfig, String> summary, Function<R, Map<String, String>> outputs) {

  /** A stage run: its result, when it ran, and the versions of its inputs when it started. */
  public record Completed<R>(String stage, R result, String summary, Map<String, String> outputs,
      Map<String, Long> inputVersions, Instant startedAt, Instant endedAt) {}

  public Completed<R> run(StageContext context) {
    Instant started = Instant.now();
    Map<String, Long> versions = new LinkedHashMap<>();
    inputs.forEach(t -> versions.put(t.toString(), context.lakehouse().version(t)));
    R result = work.apply(context);
    Map<String, String> produced = outputs.apply(result);
    context.completed(name, produced, result);
    return new Completed<>(name, result,
        summary.apply(result, context.config()), produced,
        versions, started, Instant.now());
  }

  /**
   * Runs the stage on its own, outside any recorded run: the command line's single-stage
   * commands and the benchmark.
   */
  public R runAlone(SparkSession spark, FairgroveConfig config) {
    return run(new StageContext(spark, config, null)).result();
  }

  /** Marks this stage as finished by an earlier process of the same run, with its outputs. */
  public void resumed(StageContext context, Map<String, String> recorded) {
    context.completed(name, recorded, null);
  }
}
