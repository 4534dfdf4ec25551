package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group is shown against its reference group where a check compares the two, and the reference
 * group is never shown against itself: the demo's terminal read "age_band=18-44 (vs 18-44):
 * review; oe_ratio 0.679", a check of that group's own calibration, and "race=Asian (vs White):
 * review; oe_ratio 1.44", naming a reference the check does not use.
 */
class SliceKeyTest {
  @Test
  void theReferenceGroupIsNotComparedWithItself() {
    SliceKey young = new SliceKey("age_band", "18-44");
    SliceKey old = new SliceKey("age_band", "75-89");
    assertThat(old.versus("18-44")).isEqualTo(" (vs 18-44)");
    assertThat(young.versus("18-44")).isEmpty();
    assertThat(SliceKey.OVERALL_SLICE.versus(null)).isEmpty();
    assertThat(young.comparedWith("18-44")).isFalse();
    assertThat(old.comparedWith("18-44")).isTrue();
  }

  @Test
  void aFindingNamesTheReferenceOnTheChecksThatCompareWithItOnly() {
    // Rows as Checks.of makes them: a group's own calibration has no reference.
    MetricRow oe = new MetricRow("race", "Black", "check_oe_ratio", null, null, 0.52, 0.38,
        0.71, null, null, null, false, "flag");
    MetricRow gap = new MetricRow("race", "Black", "check_auroc_gap", null, null, -0.113,
        -0.197, -0.03, null, null, "White", false, "review");
    ValidationRun.Finding black = new ValidationRun.Finding("test", new SliceVerdict(
        new SliceKey("race", "Black"), "White", Verdict.FLAG, List.of(oe, gap), 0.1));
    assertThat(black.describe()).isEqualTo("test race=Black: flag; oe_ratio 0.520 (0.380 to"
        + " 0.710); auroc_gap vs White -0.113 (-0.197 to -0.0300)");
  }

  @Test
  void aFindingOnTheReferenceGroupReadsAsItsOwnCheck() {
    MetricRow oe = new MetricRow("age_band", "18-44", "check_oe_ratio", null, null, 0.679,
        0.488, 0.945, null, null, null, false, "review");
    ValidationRun.Finding finding = new ValidationRun.Finding("external:S3", new SliceVerdict(
        new SliceKey("age_band", "18-44"), "18-44", Verdict.REVIEW, List.of(oe), 0.1));
    assertThat(finding.describe())
        .isEqualTo("external:S3 age_band=18-44: review; oe_ratio 0.679 (0.488 to 0.945)");
  }
}
