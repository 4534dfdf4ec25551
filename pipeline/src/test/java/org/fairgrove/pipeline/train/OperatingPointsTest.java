package org.fairgrove.pipeline.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.config.OperatingPointKind;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Operating points set on scored rows, against ranks counted by hand. */
@ExtendWith(SparkTestSession.class)
class OperatingPointsTest {
  // Twelve rows from the top: 0.9 0.8 0.8 0.7 0.6 0.6 0.6 0.5 0.4 0.3 0.2 0.1, with events at
  // 0.9, 0.8, 0.6 and 0.2 (the events' risks from the top: 0.9 0.8 0.6 0.2).
  private static final double[] RISKS = {0.6, 0.1, 0.8, 0.4, 0.9, 0.6, 0.3, 0.7, 0.2, 0.5, 0.8,
      0.6};
  private static final int[] LABELS = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0};

  private final SparkSession spark;

  OperatingPointsTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aSelectionRateIsTheRiskOfTheLeastRankThatReachesIt() {
    // 25%: 3 of 12 rows, the 3rd risk 0.8 (the tie at 0.8 gives exactly 3 rows at or above).
    // 30%: 3.6 rows, so 4, the 4th risk 0.7. 50%: 6 rows, the 6th risk is 0.6 (7 at or above).
    // 100%: the lowest risk.
    assertThat(thresholds(OperatingPointKind.SELECTION_RATE, 0.25, 0.3, 0.5, 1.0))
        .containsExactly(0.8, 0.7, 0.6, 0.1);
  }

  @Test
  void aSensitivityCountsTheEventsOnly() {
    // 4 events: 50% is the 2nd event risk 0.8, 75% the 3rd (0.6), 100% the 4th (0.2).
    assertThat(thresholds(OperatingPointKind.SENSITIVITY, 0.5, 0.75, 1.0))
        .containsExactly(0.8, 0.6, 0.2);
  }

  @Test
  void noEventsSelectsEveryoneAndFixedRisksStayAsGiven() {
    Dataset<Row> noEvents = scored(spark, RISKS, new int[RISKS.length]);
    assertThat(OperatingPoints.set(new TaskSettings.OperatingPoints(
        OperatingPointKind.SENSITIVITY, List.of(0.5)), noEvents))
        .extracting(OperatingPoints.Point::threshold).containsExactly(0.0);
    assertThat(thresholds(OperatingPointKind.RISK, 0.05, 0.2)).containsExactly(0.05, 0.2);
  }

  @Test
  void theRankIsTheLeastWhoseShareReachesThePointAsADouble() {
    // 0.07 x 100 is 7.000000000000001 in doubles; 7 / 100 already reaches 0.07.
    assertThat(OperatingPoints.rankReaching(0.07, 100)).isEqualTo(7);
    assertThat(OperatingPoints.rankReaching(0.3, 12)).isEqualTo(4);
    assertThat(OperatingPoints.rankReaching(0.001, 12)).isEqualTo(1);
    assertThat(OperatingPoints.rankReaching(0.5, 0)).isZero();
    assertThat(OperatingPoints.rankReaching(1.5, 12)).isZero();
  }

  private List<Double> thresholds(OperatingPointKind kind, Double... values) {
    return OperatingPoints.set(new TaskSettings.OperatingPoints(kind, List.of(values)),
            scored(spark, RISKS, LABELS)).stream()
        .map(OperatingPoints.Point::threshold).toList();
  }

  /** The rows spread over four partitions, so the ranks cross partition boundaries. */
  private static Dataset<Row> scored(SparkSession spark, double[] risks, int[] labels) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < risks.length; i++) {
      rows.add(RowFactory.create(labels[i], risks[i]));
    }
    StructType schema = new StructType().add("label", DataTypes.IntegerType)
        .add("risk", DataTypes.DoubleType);
    return spark.createDataFrame(rows, schema).repartition(4);
  }
}
