package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.validate.Fixtures.Prediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Predictions that validation cannot read fail with a message saying what to fix. */
@ExtendWith(SparkTestSession.class)
class PredictionInputMetricTest {
  private final SparkSession spark;

  PredictionInputMetricTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aMissingAttributeColumnIsNamed() {
    assertThatThrownBy(() -> Fixtures.validate(
            Fixtures.frame(spark, List.of(new Prediction(1, 0.5, "A"))), "row_key",
            Fixtures.config("governance.attributes=[\"group\", \"payer\"]")))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("no column 'payer'")
        .hasMessageContaining("governance.attributes");
  }

  @Test
  void risksOutsideZeroToOneAreRejected() {
    assertThatThrownBy(() -> Fixtures.validate(
            Fixtures.frame(spark, List.of(new Prediction(1, 0.5, "A"),
                new Prediction(0, 1.5, "A"))), "row_key", Fixtures.config()))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("1 prediction rows");
  }

  @Test
  void anUnknownReferenceGroupIsNamed() {
    assertThatThrownBy(() -> Fixtures.validate(
            Fixtures.frame(spark, List.of(new Prediction(1, 0.5, "A"),
                new Prediction(0, 0.2, "B"))), "row_key",
            Fixtures.config("governance.reference-groups={ group = \"C\" }")))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("'C'");
  }
}
