package org.fairgrove.pipeline.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;

/**
 * The newcomer's end-to-end run on the embedded default: a generated population, then every
 * pipeline stage that exists, ending with where to look.
 */
public final class Demo {
  private Demo() {}

  /** What the demo did, for the closing summary. */
  public record Result(List<String> steps, List<TableId> tables, String lakehouse,
      double seconds) {
    public String summary() {
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
          "Fairgrove demo finished in %.0f s.%n", seconds));
      steps.forEach(step -> out.append("  ").append(step).append('\n'));
      out.append("Lakehouse ").append(lakehouse).append(":\n");
      tables.forEach(table -> out.append("  ").append(table).append('\n'));
      out.append("Query it, e.g.:\n");
      out.append("  bin/fairgrove sql \"SHOW TABLES IN truth\"\n");
      out.append("  bin/fairgrove sql \"SELECT table_name, sum(rows_read), sum(rows_accepted),"
          + " sum(rows_quarantined) FROM ops.ingest_log GROUP BY table_name\"\n");
      out.append("  bin/fairgrove sql \"SELECT site_id, count(*) AS persons FROM"
          + " truth.person_onset GROUP BY site_id ORDER BY site_id\"\n");
      return out.toString();
    }
  }

  public static Result run(SparkSession spark, FairgroveConfig config) {
    long start = System.nanoTime();
    List<String> steps = new ArrayList<>();

    SynthResult population = SyntheticPopulation.generateOrReuse(spark, config);
    steps.add(String.format(Locale.ROOT, "population  %s persons, %d sites, seed %d (%s) -> %s",
        Progress.count(population.persons()), config.synth.sites(), config.run.seed(),
        population.reused() ? "reused" : "generated", config.synth.out()));

    for (IngestSummary ingest : Ingest.syntheticPopulation(spark, config)) {
      steps.add(String.format(Locale.ROOT,
          "ingest %-4s %s rows read: %s accepted, %s quarantined, %s duplicates (%s)",
          ingest.siteId(), Progress.count(ingest.rowsRead()),
          Progress.count(ingest.rowsAccepted()), Progress.count(ingest.rowsQuarantined()),
          Progress.count(ingest.rowsDuplicate()),
          ingest.alreadyIngested() ? "already ingested" : "batch " + ingest.batchId()));
    }

    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    return new Result(steps, lakehouse.tables(), lakehouse.root(),
        (System.nanoTime() - start) / 1e9);
  }
}
