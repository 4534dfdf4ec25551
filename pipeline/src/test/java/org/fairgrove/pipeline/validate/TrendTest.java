package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drop test against values computed outside Java (scipy.stats.norm): standard errors from
 * the CIs' half-widths, a one-sided test of "fell by more than the margin", Holm across slices.
 */
class TrendTest {
  private static Trend.Series auroc(String group, Trend.Estimate... points) {
    return new Trend.Series("test", new SliceKey("race", group), "auroc", Arrays.asList(points));
  }

  private static Trend.Estimate e(double value, double low, double high) {
    return new Trend.Estimate(value, low, high);
  }

  @Test
  void aDropBeyondTheMarginIsFlaggedOnEvidenceAndReviewedOnTheEstimateAlone() {
    List<Trend.Drop> drops = Trend.drops(List.of(
        auroc("A", e(0.80, 0.76, 0.84), null, e(0.70, 0.66, 0.74)),
        auroc("B", e(0.80, 0.70, 0.90), e(0.76, 0.66, 0.86)),
        auroc("C", e(0.80, 0.76, 0.84), e(0.81, 0.77, 0.85)),
        // Not tested: absent from the first run, or validated once.
        auroc("D", null, e(0.5, 0.4, 0.6)),
        auroc("E", e(0.8, 0.7, 0.9)),
        new Trend.Series("test", new SliceKey("race", "A"), "oe_ratio",
            List.of(e(1, 0.9, 1.1), e(2, 1.9, 2.1)))), 0.02, 0.05);

    assertThat(drops).extracting(d -> d.slice().group()).containsExactly("A", "B", "C");
    double[][] expected = {
        // difference, CI low, CI high, p, Holm p
        {-0.10, -0.15656854249492386, -0.04343145750507631, 0.002787298340392173,
            0.008361895021176518},
        {-0.04, -0.18142135623730954, 0.10142135623730947, 0.39082065430908697,
            0.7816413086181739},
        {0.01, -0.04656854249492377, 0.06656854249492379, 0.8506971056392175,
            0.8506971056392175}};
    for (int i = 0; i < 3; i++) {
      Trend.Drop d = drops.get(i);
      assertThat(new double[] {d.difference(), d.ciLow(), d.ciHigh(), d.pValue(), d.pHolm()})
          .containsExactly(expected[i], within(1e-9));
    }
    assertThat(drops).extracting(Trend.Drop::verdict)
        .containsExactly(Verdict.FLAG, Verdict.REVIEW, Verdict.PASS);
    assertThat(new Trend(List.of(), List.of(), drops).decision()).isEqualTo(Verdict.FLAG);
    assertThat(new Trend(List.of(), List.of(), drops.subList(1, 3)).decision())
        .isEqualTo(Verdict.REVIEW);
  }
}
