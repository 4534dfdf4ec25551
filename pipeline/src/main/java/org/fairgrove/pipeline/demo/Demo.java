package org.fairgrove.pipeline.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.cohort.Cohort;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.SmallCells;
import org.fairgrove.pipeline.features.Features;
import org.fairgrove.pipeline.gate.Gate;
import org.fairgrove.pipeline.gate.Promotion;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;
import org.fairgrove.pipeline.validate.GroundTruth;
import org.fairgrove.pipeline.validate.ValidationRun;
import org.fairgrove.pipeline.score.Scoring;
import org.fairgrove.pipeline.train.Trainer;

/**
 * The newcomer's end-to-end run on the embedded default: a generated population, then every
 * pipeline stage that exists, ending with where to look.
 */
public final class Demo {
  /** The task the demo (and the benchmark) runs when none is named. */
  public static final String TASK = "t2d-1y";

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
      out.append("  bin/fairgrove sql \"SELECT * FROM gold.cohort_attrition\"\n");
      out.append("  bin/fairgrove models\n");
      out.append("  bin/fairgrove sql \"SELECT sex, age_band, count(*) AS persons, avg(risk) AS"
          + " mean_risk FROM gold.predictions p JOIN gold.cohort c USING (task_id, person_id,"
          + " index_date) GROUP BY sex, age_band ORDER BY sex, age_band\"\n");
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
    int threshold = config.governance.smallCellThreshold();
    Cohort.Result cohort = Cohort.build(spark, config);
    steps.add(String.format(Locale.ROOT, "cohort      %s: %s persons, %s rows, %s events",
        cohort.taskId(), SmallCells.show(cohort.persons(), threshold),
        SmallCells.show(cohort.rows(), threshold), SmallCells.show(cohort.events(), threshold)));

    Features.Result features = Features.build(spark, config);
    steps.add(String.format(Locale.ROOT, "features    %s rows x %s slots, dictionary %s",
        Progress.count(features.rows()), Progress.count(features.slots()),
        features.dictionaryHash()));

    Trainer.Result model = Trainer.train(spark, config);
    steps.add(String.format(Locale.ROOT, "train       %s: AUROC %s", model.modelId(),
        model.auroc().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.3f",
            e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", "))));
    GroundTruth.compare(spark, config, model.modelId(), Splits.TEST).ifPresent(truth -> {
      steps.add(String.format(Locale.ROOT, "            test AUROC %.3f; best achievable from the"
          + " generator's true risk %.3f", truth.modelAuroc(), truth.bestAchievable()));
      steps.add(String.format(Locale.ROOT, "            without the %s events already diabetic,"
          + " undiagnosed, at index: %.3f; best achievable %.3f",
          SmallCells.show(truth.prevalentEvents(), threshold), truth.incidentModelAuroc(),
          truth.incidentBestAchievable()));
    });

    ValidationRun.Result validation = ValidationRun.run(spark, config, model.modelId());
    steps.add(String.format(Locale.ROOT, "validate    %s: %s", validation.decision().label()
            .toUpperCase(Locale.ROOT), validation.findings().isEmpty()
            ? "no group beyond the policy limits"
            : validation.findings().size() + " slices flagged or for review"));
    validation.findings().stream().limit(5).forEach(f -> steps.add("            "
        + f.describe()));
    steps.add("            report: " + validation.paths().stream()
        .filter(p -> p.endsWith(".pdf")).findFirst().orElse(""));

    Gate.Result gate = Promotion.promote(spark, config, model.modelId(), null, null);
    steps.add("gate        " + gate.summary(5).replace("\n", "\n            "));
    if (gate.decision().champion()) {
      Scoring.Result scored = Scoring.score(spark, config,
          config.task.target().lastIndexDate(), null, null);
      steps.add(String.format(Locale.ROOT, "score       %s persons as of %s -> gold.predictions",
          Progress.count(scored.rows()), config.task.target().lastIndexDate()));
    } else {
      steps.add("score       skipped: the task has no champion to score with");
    }
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());

    return new Result(steps, lakehouse.tables(), lakehouse.root(),
        (System.nanoTime() - start) / 1e9);
  }
}
