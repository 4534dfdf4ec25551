package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.validate.Fixtures.Prediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Calibration slope, intercept, O/E, Brier and ICI against independent computations. */
@ExtendWith(SparkTestSession.class)
class CalibrationMetricTest {
  private final SparkSession spark;

  CalibrationMetricTest(SparkSession spark) {
    this.spark = spark;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * Plain Newton-Raphson for logit P(y) = b0 + b1 x (+ offset if fixedSlope), written out here
   * with the 2x2 inverse by hand: an independent fit to compare with the Spark IRLS.
   */
  private static double[] handLogistic(double[] x, int[] y, boolean offsetOnly) {
    double b0 = 0;
    double b1 = offsetOnly ? 1 : 0;
    for (int iteration = 0; iteration < 100; iteration++) {
      double g0 = 0;
      double g1 = 0;
      double h00 = 0;
      double h01 = 0;
      double h11 = 0;
      for (int i = 0; i < x.length; i++) {
        double mu = sigmoid(b0 + b1 * x[i]);
        double w = mu * (1 - mu);
        g0 += y[i] - mu;
        g1 += (y[i] - mu) * x[i];
        h00 += w;
        h01 += w * x[i];
        h11 += w * x[i] * x[i];
      }
      if (offsetOnly) {
        b0 += g0 / h00;
      } else {
        double det = h00 * h11 - h01 * h01;
        b0 += (h11 * g0 - h01 * g1) / det;
        b1 += (h00 * g1 - h01 * g0) / det;
      }
    }
    return new double[] {b0, b1};
  }

  @Test
  void slopeInterceptOeAndBrierMatchIndependentComputation() {
    Random random = new Random(7);
    List<Prediction> rows = new ArrayList<>();
    int n = 400;
    double[] logits = new double[n];
    int[] labels = new int[n];
    double observed = 0;
    double expected = 0;
    double brier = 0;
    for (int i = 0; i < n; i++) {
      double risk = Math.round((0.02 + 0.96 * random.nextDouble()) * 1e6) / 1e6;
      // Outcomes drawn from a miscalibrated truth: true logit = 0.3 + 0.7 logit(risk).
      double logit = Math.log(risk / (1 - risk));
      int y = random.nextDouble() < sigmoid(0.3 + 0.7 * logit) ? 1 : 0;
      rows.add(new Prediction(y, risk, "A"));
      logits[i] = logit;
      labels[i] = y;
      observed += y;
      expected += risk;
      brier += (risk - y) * (risk - y) / n;
    }
    ValidationResult result = Fixtures.validate(Fixtures.frame(spark, rows), "row_key",
        Fixtures.config());
    double[] slope = handLogistic(logits, labels, false);
    double[] inTheLarge = handLogistic(logits, labels, true);
    assertThat(Fixtures.value(result, "group", "A", "calibration_slope", null))
        .isCloseTo(slope[1], within(1e-7));
    assertThat(Fixtures.value(result, "group", "A", "calibration_intercept", null))
        .isCloseTo(inTheLarge[0], within(1e-7));
    assertThat(Fixtures.value(result, "group", "A", "oe_ratio", null))
        .isCloseTo(observed / expected, within(1e-12));
    assertThat(Fixtures.value(result, "group", "A", "brier", null))
        .isCloseTo(brier, within(1e-12));
    double prevalence = observed / n;
    assertThat(Fixtures.value(result, "group", "A", "scaled_brier", null))
        .isCloseTo(1 - brier / (prevalence * (1 - prevalence)), within(1e-12));
  }

  /**
   * An overfitted model's risks: 1e-5 to 0.3, events scattered among them. Newton from perfect
   * calibration (0, 1) overshoots here (its second step lands beyond 200 on the logit scale),
   * so the slope went missing exactly where it says most. The estimate exists: the hand fit from
   * (0, 0) and a step-halving fit in Python both give slope 0.1258876 (intercept -1.5834606).
   */
  @Test
  void theSlopeOfRisksFarTooExtremeIsEstimated() {
    List<Prediction> rows = new ArrayList<>();
    List<double[]> pairs = new ArrayList<>();
    double[] events = {1e-4, 1e-3, 0.01, 0.2, 3e-3, 0.05};
    for (int copy = 0; copy < 4; copy++) {
      for (int i = 0; i < 60; i++) {
        pairs.add(new double[] {0, Math.pow(10, -5 + i * 4.5 / 59)});
      }
      for (double risk : events) {
        pairs.add(new double[] {1, risk});
      }
    }
    double[] logits = new double[pairs.size()];
    int[] labels = new int[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      double risk = pairs.get(i)[1];
      labels[i] = (int) pairs.get(i)[0];
      logits[i] = Math.log(risk / (1 - risk));
      rows.add(new Prediction(labels[i], risk, "A"));
    }
    ValidationResult result = Fixtures.validate(Fixtures.frame(spark, rows), "row_key",
        Fixtures.config("governance.bootstrap-replicates=10"));
    double[] slope = handLogistic(logits, labels, false);
    assertThat(slope[1]).isCloseTo(0.1258876, within(1e-7));
    assertThat(Fixtures.value(result, "group", "A", "calibration_slope", null))
        .isCloseTo(slope[1], within(1e-7));
    assertThat(Fixtures.value(result, "group", "A", "calibration_intercept", null))
        .isCloseTo(handLogistic(logits, labels, true)[0], within(1e-7));
  }

  @Test
  void iciOfRisksHalvedIsAboutHalfTheTrueRisk() {
    // y ~ Bernoulli(p) with p uniform on 0.1..0.9 and the model predicting p / 2: the true
    // calibration curve is 2x, so |curve - prediction| = p / 2: ICI (mean) about 0.25, E50
    // (median) about 0.25, E90 about 0.41.
    Random random = new Random(11);
    List<Prediction> rows = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      double p = 0.1 + 0.8 * random.nextDouble();
      rows.add(new Prediction(random.nextDouble() < p ? 1 : 0, p / 2, "A"));
    }
    ValidationResult result = Fixtures.validate(Fixtures.frame(spark, rows), "row_key",
        Fixtures.config("governance.bootstrap-replicates=10"));
    assertThat(Fixtures.value(result, "group", "A", "ici", null)).isCloseTo(0.25, within(0.03));
    assertThat(Fixtures.value(result, "group", "A", "e50", null)).isCloseTo(0.25, within(0.04));
    assertThat(Fixtures.value(result, "group", "A", "e90", null)).isCloseTo(0.41, within(0.04));
    assertThat(Fixtures.value(result, "group", "A", "oe_ratio", null)).isCloseTo(2, within(0.1));
  }
}
