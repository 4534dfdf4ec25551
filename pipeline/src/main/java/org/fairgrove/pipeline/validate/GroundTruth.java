package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.ingest.Pseudonym;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.score.Scoring;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.Trainer;

/**
 * On the synthetic population: a model's AUROC beside the AUROC the generator's own true risk
 * reaches on the same rows, the ceiling a model could approach. Truth is keyed by source person
 * id, so it is mapped through the same keyed pseudonym ingest used.
 *
 * <p>A row's true risk is the generator's one-year onset probability for its index year, or for
 * the first year after it where the person had none (one who turned 18 between 1 January and the
 * index date). A person whose diabetes truly began on or before the index date, unrecorded, has
 * true risk 1: the truth knows what the record may not show. Such rows can hold a large share of
 * the events, so the comparison is also given without them, where model and truth see the same
 * kind of case. With a per-person date shift configured, index dates are shifted and truth dates
 * are not; the figures are then approximate.
 */
public final class GroundTruth {
  private GroundTruth() {}

  /**
   * AUROC of the model and of the true risk on the same rows: all of them, and the rows free of
   * the disease at index ("incident"). Rows with no truth at all are left out and counted.
   */
  public record Comparison(long rows, long events, double modelAuroc, double bestAchievable,
      long prevalentRows, long prevalentEvents, double incidentModelAuroc,
      double incidentBestAchievable, long rowsWithoutTruth) {}

  /** Compares a registered model's predictions on one split of its task with the truth. */
  public static Optional<Comparison> compare(SparkSession spark, FairgroveConfig config,
      String modelId, String split) {
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Registry.Entry model = new Registry(spark, lakehouse).get(modelId);
    Dataset<Row> rows = lakehouse.read(Tables.GOLD_FEATURES)
        .filter(col("task_id").equalTo(model.taskId()).and(col("split").equalTo(split)));
    return compare(spark, config, Scoring.predict(model, rows));
  }

  /**
   * Compares predictions with the truth; empty when the lakehouse holds no synthetic truth.
   *
   * @param predictions person_id, index_date, label and risk of one split's rows
   */
  public static Optional<Comparison> compare(SparkSession spark, FairgroveConfig config,
      Dataset<Row> predictions) {
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    if (!lakehouse.exists(Tables.TRUTH_PERSON_YEAR_RISK)
        || !lakehouse.exists(Tables.TRUTH_PERSON_ONSET)) {
      return Optional.empty();
    }
    UserDefinedFunction pseudonym =
        udf(Pseudonym.udf(Pseudonym.key(config)), DataTypes.LongType);
    Dataset<Row> yearRisk = lakehouse.read(Tables.TRUTH_PERSON_YEAR_RISK)
        .select(pseudonym.apply(col("site_id"), col("person_id")).as("truth_person_id"),
            col("year"), col("true_risk"));
    Dataset<Row> onset = lakehouse.read(Tables.TRUTH_PERSON_ONSET)
        .select(pseudonym.apply(col("site_id"), col("person_id")).as("person_id"),
            col("true_onset_date"));
    Dataset<Row> rows = predictions.select("person_id", "index_date", "label", "risk");
    Dataset<Row> riskFromIndexYear = rows.join(yearRisk,
            col("person_id").equalTo(col("truth_person_id"))
                .and(col("year").geq(year(col("index_date")))))
        .groupBy("person_id", "index_date")
        .agg(min_by(col("true_risk"), col("year")).as("year_risk"));
    Dataset<Row> scored = rows
        .join(riskFromIndexYear, new String[] {"person_id", "index_date"}, "left")
        .join(onset, new String[] {"person_id"}, "left")
        .withColumn("prevalent", col("true_onset_date").leq(col("index_date")))
        .withColumn("true_risk", when(col("prevalent"), lit(1.0)).otherwise(col("year_risk")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row counts = scored.agg(count(lit(1)), count_if(col("label").equalTo(1)),
          count_if(col("prevalent")), count_if(col("prevalent").and(col("label").equalTo(1))),
          count_if(col("true_risk").isNull())).first();
      Dataset<Row> withTruth = scored.filter(col("true_risk").isNotNull());
      Dataset<Row> incident = withTruth.filter(col("prevalent").isNull()
          .or(col("prevalent").equalTo(false)));
      return Optional.of(new Comparison(counts.getLong(0), counts.getLong(1),
          Trainer.auroc(withTruth), Trainer.auroc(withTruth.withColumn("risk", col("true_risk"))),
          counts.getLong(2), counts.getLong(3), Trainer.auroc(incident),
          Trainer.auroc(incident.withColumn("risk", col("true_risk"))), counts.getLong(4)));
    } finally {
      scored.unpersist();
    }
  }
}
