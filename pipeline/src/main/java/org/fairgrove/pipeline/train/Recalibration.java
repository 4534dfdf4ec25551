package org.fairgrove.pipeline.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;

import java.util.Locale;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Logistic recalibration: risk' = sigmoid(intercept + slope * logit(risk)), either fitted on a
 * split or the prior correction of a class-weighted model (intercept -log(weight), slope 1).
 *
 * @param method {@link #FITTED} or {@link #PRIOR_CORRECTION}
 */
public record Recalibration(double intercept, double slope, String method) {
  public static final String FITTED = "fitted";
  public static final String PRIOR_CORRECTION = "prior-correction";

  private static final double EPSILON = 1e-7;

  static Column logit(Column risk) {
    Column p = least(greatest(risk, lit(EPSILON)), lit(1 - EPSILON));
    return log(p.divide(lit(1).minus(p)));
  }

  /** Fits the recalibration on scored rows (label, risk), e.g. the validation split. */
  static Recalibration fit(Dataset<Row> scored) {
    Dataset<Row> input = new VectorAssembler().setInputCols(new String[] {"logit_risk"})
        .setOutputCol("logit_vector")
        .transform(scored.withColumn("logit_risk", logit(col("risk")))
            .withColumn("label", col("label").cast("double")));
    LogisticRegressionModel model = new LogisticRegression().setFeaturesCol("logit_vector")
        .setLabelCol("label").setRegParam(0).setMaxIter(100).fit(input);
    return new Recalibration(model.intercept(), model.coefficients().apply(0), FITTED);
  }

  /**
   * Undoes class weighting: a model trained with events weighted by w estimates odds w times
   * the true odds (King and Zeng 2001), so logit(p) = logit(p_w) - log(w).
   */
  static Recalibration priorCorrection(double weight) {
    return new Recalibration(-Math.log(weight), 1.0, PRIOR_CORRECTION);
  }

  /** The rows with their {@code risk} recalibrated, or as they are when there is no fit. */
  public static Dataset<Row> apply(Dataset<Row> predicted, Recalibration recalibration) {
    return recalibration == null ? predicted
        : predicted.withColumn("risk", recalibration.apply(col("risk")));
  }

  Column apply(Column risk) {
    return lit(1).divide(lit(1).plus(exp(lit(-intercept).minus(lit(slope).multiply(logit(risk))))));
  }

  String toJson() {
    return String.format(Locale.ROOT, "{\"intercept\":%.17g,\"slope\":%.17g,\"method\":\"%s\"}",
        intercept, slope, method);
  }

  public static Recalibration fromJson(String json) {
    if (json == null) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode node =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
      return new Recalibration(node.get("intercept").asDouble(), node.get("slope").asDouble(),
          node.path("method").asText(FITTED));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Unreadable recalibration in the registry: " + json, e);
    }
  }
}
