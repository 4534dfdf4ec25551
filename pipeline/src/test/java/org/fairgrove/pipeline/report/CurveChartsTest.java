package org.fairgrove.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A group whose curve has no point to draw (every step below the small-cell threshold) is named
 * as suppressed in that chart's legend: the demo's decision curve for race listed Asian beside
 * a colour that no line had.
 */
class CurveChartsTest {
  private static final List<List<Double>> DIAGONAL = List.of(List.of(0.0, 0.0),
      List.of(1.0, 1.0));
  private static final List<List<Double>> BENEFIT = List.of(List.of(0.01, 0.002),
      List.of(0.05, 0.001));

  @Test
  void aGroupWithNoPointsIsMarkedSuppressedInTheLegendOfThatChartOnly() {
    Map<String, Object> white = Map.of("attribute", "race", "group", "White", "roc", DIAGONAL,
        "smooth_calibration", List.of(List.of(0.1, 0.12), List.of(0.2, 0.18)),
        "net_benefit", BENEFIT);
    // Asian: ROC points pooled to the threshold exist; no calibration or net benefit point.
    Map<String, Object> asian = Map.of("attribute", "race", "group", "Asian", "roc", DIAGONAL,
        "smooth_calibration", List.of(), "net_benefit", List.of());

    // Black: risk bins but no smoothed line; its bins are drawn, so it is not suppressed.
    Map<String, Object> black = Map.of("attribute", "race", "group", "Black", "roc", DIAGONAL,
        "smooth_calibration", List.of(), "calibration", List.of(List.of(0.1, 0.15)),
        "net_benefit", BENEFIT);

    List<Map<String, Object>> rows = CurveCharts.of(Map.of("curves",
        List.of(white, asian, black)), new Charts());

    assertThat(rows).hasSize(1);
    Map<String, Object> race = rows.get(0);
    assertThat((String) race.get("decision")).contains(">White<", ">Asian (suppressed)<");
    assertThat((String) race.get("calibration")).contains(">White<", ">Asian (suppressed)<",
        ">Black<");
    assertThat((String) race.get("roc")).contains(">Asian<").doesNotContain("suppressed");
  }
}
