package org.fairgrove.pipeline.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.SmallCells;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.stage.Stage;
import org.fairgrove.pipeline.stage.StageContext;
import org.fairgrove.pipeline.stage.Stages;
import org.fairgrove.pipeline.validate.GroundTruth;

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
      out.append("  bin/fairgrove sql \"SELECT criterion, outcome, count(*) AS comparisons FROM"
          + " ops.promotion_decisions GROUP BY criterion, outcome ORDER BY criterion, outcome\"\n");
      out.append("  bin/fairgrove sql \"SELECT sex, age_band, count(*) AS persons, avg(risk) AS"
          + " mean_risk FROM gold.predictions GROUP BY sex, age_band HAVING count(*) >= 11"
          + " ORDER BY sex, age_band\"\n");
      return out.toString();
    }
  }

  public static Result run(SparkSession spark, FairgroveConfig config) {
    long start = System.nanoTime();
    List<String> steps = new ArrayList<>();
    StageContext context = new StageContext(spark, config, null);
    for (Stage<?> stage : Stages.DEMO) {
      List<String> lines = List.of(stage.run(context).summary().split("\n"));
      steps.add(String.format(Locale.ROOT, "%-11s %s", stage.name(), lines.get(0)));
      lines.subList(1, lines.size()).forEach(line -> steps.add(" ".repeat(12) + line));
      if (stage == Stages.TRAIN) {
        groundTruth(spark, config, context.output(Stages.TRAIN.name(), "model_id"), steps);
      }
    }
    Lakehouse lakehouse = context.lakehouse();
    return new Result(steps, lakehouse.tables(), lakehouse.root(),
        (System.nanoTime() - start) / 1e9);
  }

  /** How close the model comes to the generator's true risk, on the test split. */
  private static void groundTruth(SparkSession spark, FairgroveConfig config, String modelId,
      List<String> steps) {
    int threshold = config.governance.smallCellThreshold();
    GroundTruth.compare(spark, config, modelId, Splits.TEST).ifPresent(truth -> {
      steps.add(String.format(Locale.ROOT, "            test AUROC %.3f; best achievable from the"
          + " generator's true risk %.3f", truth.modelAuroc(), truth.bestAchievable()));
      steps.add(String.format(Locale.ROOT, "            without the %s events already diabetic,"
          + " undiagnosed, at index: %.3f; best achievable %.3f",
          SmallCells.show(truth.prevalentEvents(), threshold), truth.incidentModelAuroc(),
          truth.incidentBestAchievable()));
    });
  }
}
