package org.fairgrove.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.fairgrove.pipeline.gate.GateComparison;
import org.fairgrove.pipeline.gate.GateComparison.Criterion;
import org.fairgrove.pipeline.gate.GateComparison.Outcome;
import org.fairgrove.pipeline.validate.SliceKey;
import org.junit.jupiter.api.Test;

/**
 * An interval reads "low to high" in every format, so a negative bound is never joined to the
 * other by a hyphen (the demo's terminal once read "auroc_gap -0.113 (-0.197--0.0300)").
 */
class IntervalsTest {
  @Test
  void negativeBoundsAreJoinedByToNotByAHyphen() {
    assertThat(Intervals.of("%.3g", -0.113, -0.197, -0.03))
        .isEqualTo("-0.113 (-0.197 to -0.0300)");
    assertThat(Intervals.of("%+.3f", -0.056, -0.081, 0.0314))
        .isEqualTo("-0.056 (-0.081 to +0.031)");
    assertThat(Intervals.bounds("%.3f", 0.38, 0.71)).isEqualTo("(0.380 to 0.710)");
  }

  @Test
  void aGateDecisionLineShowsBothKindsOfInterval() {
    GateComparison calibration = new GateComparison("test", new SliceKey("race", "Black"),
        null, Criterion.CALIBRATION, "calibration_slope", null, 0.91, 0.68, null, 0.448, 0.912,
        null, null, "review", Outcome.INSUFFICIENT_EVIDENCE, false);
    assertThat(calibration.describe()).isEqualTo("test race=Black: calibration "
        + "calibration_slope, challenger 0.680 (0.448 to 0.912), champion 0.910, challenger "
        + "verdict review: insufficient_evidence");
    GateComparison discrimination = new GateComparison("test", new SliceKey("race", "Black"),
        null, Criterion.DISCRIMINATION, "auroc", null, 0.768, 0.712, -0.056, -0.081, -0.031,
        0.001, 0.004, null, Outcome.FAIL, true);
    assertThat(discrimination.describe()).isEqualTo("test race=Black: discrimination auroc, "
        + "challenger 0.712, champion 0.768, difference -0.056 (-0.081 to -0.031): fail (blocks)");
  }
}
