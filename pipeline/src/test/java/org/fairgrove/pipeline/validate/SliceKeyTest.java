package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group is shown against its reference group, and the reference group is not shown against
 * itself: the demo's terminal read "age_band=18-44 (vs 18-44): review; oe_ratio 0.679", a check
 * of that group's own calibration.
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
  void aFindingOnTheReferenceGroupReadsAsItsOwnCheck() {
    MetricRow oe = new MetricRow("age_band", "18-44", "check_oe_ratio", null, null, 0.679,
        0.488, 0.945, null, null, "18-44", false, "review");
    ValidationRun.Finding finding = new ValidationRun.Finding("external:S3", new SliceVerdict(
        new SliceKey("age_band", "18-44"), "18-44", Verdict.REVIEW, List.of(oe), 0.1));
    assertThat(finding.describe())
        .isEqualTo("external:S3 age_band=18-44: review; oe_ratio 0.679 (0.488 to 0.945)");
  }
}
