package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.year;

import java.util.OptionalDouble;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.ingest.Pseudonym;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * On the synthetic population: the AUROC that the generator's own true risk reaches on a split's
 * cohort rows, the ceiling a model on the same rows could approach. Truth is keyed by source
 * person id, so it is mapped through the same keyed pseudonym ingest used.
 *
 * <p>A row's true risk is the generator's one-year onset probability for its index year. A row
 * with no such year is a person whose diabetes had begun, unrecorded, before that year: true risk
 * 1. With a per-person date shift configured the index year can be off by one; the figure is then
 * approximate.
 */
public final class GroundTruth {
  private GroundTruth() {}

  /** Empty when the lakehouse holds no synthetic ground truth. */
  public static OptionalDouble bestAchievableAuroc(SparkSession spark, FairgroveConfig config,
      String split) {
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    if (!lakehouse.exists(Tables.TRUTH_PERSON_YEAR_RISK)) {
      return OptionalDouble.empty();
    }
    UserDefinedFunction pseudonym =
        udf(Pseudonym.udf(Pseudonym.key(config)), DataTypes.LongType);
    Dataset<Row> truth = lakehouse.read(Tables.TRUTH_PERSON_YEAR_RISK, "fairgrove synth")
        .select(pseudonym.apply(col("site_id"), col("person_id")).as("person_id"),
            col("year").as("index_year"), col("true_risk"));
    Dataset<Row> rows = lakehouse.read(Tables.GOLD_COHORT, "fairgrove cohort")
        .filter(col("task_id").equalTo(config.task.requireId())
            .and(col("split").equalTo(split)))
        .select(col("person_id"), year(col("index_date")).as("index_year"), col("label"));
    Dataset<Row> scored = rows.join(truth, new String[] {"person_id", "index_year"}, "left")
        .withColumn("risk", coalesce(col("true_risk"), lit(1.0)));
    return OptionalDouble.of(Trainer.auroc(scored));
  }
}
