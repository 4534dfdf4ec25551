package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fairgrove.pipeline.validate.SmallCells.CellCounts;
import org.junit.jupiter.api.Test;

class SmallCellsTest {
  private static final int THRESHOLD = 11;

  private static CellCounts cells(long n, long events, long tp, long fp) {
    return new CellCounts(n, events, Map.of(0.5, new long[] {tp, fp, events - tp,
        n - events - fp}));
  }

  private static List<MetricRow> rows(Map<SliceKey, CellCounts> cells) {
    List<MetricRow> rows = new ArrayList<>();
    cells.forEach((k, c) -> {
      rows.add(MetricRow.of(k, "n", c.n()));
      rows.add(MetricRow.of(k, "prevalence", (double) c.events() / c.n()));
      rows.add(MetricRow.at(k, "sensitivity", "risk 50%", 0.5, 0.5));
    });
    return rows;
  }

  private static boolean hidden(List<MetricRow> rows, String attribute, String group,
      String metric) {
    return rows.stream().filter(r -> r.attribute().equals(attribute) && r.group().equals(group)
        && r.metric().equals(metric)).allMatch(MetricRow::suppressed);
  }

  @Test
  void smallCountsTheirComplementsAndLoneMarginMembersAreWithheld() {
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, cells(300, 100, 60, 40));
    // M has 8 events: withheld. F alone would then give M back (overall - F): withheld too.
    cells.put(new SliceKey("sex", "F"), cells(200, 92, 55, 35));
    cells.put(new SliceKey("sex", "M"), cells(100, 8, 5, 5));
    // Two small groups in one margin: overall minus Commercial would give their sum, 14 persons
    // with 5 events, itself small, so Commercial is withheld too.
    cells.put(new SliceKey("payer", "Medicaid"), cells(5, 2, 1, 1));
    cells.put(new SliceKey("payer", "Uninsured"), cells(9, 3, 2, 1));
    cells.put(new SliceKey("payer", "Commercial"), cells(286, 95, 57, 38));
    // A complement: 95 events of 100 is fine, 95 of 100 with 5 non-events is not.
    cells.put(new SliceKey("site", "S1"), cells(100, 95, 60, 4));
    cells.put(new SliceKey("site", "S2"), cells(100, 3, 2, 20));
    cells.put(new SliceKey("site", "S3"), cells(100, 2, 1, 16));

    List<MetricRow> out = SmallCells.suppress(rows(cells), cells, THRESHOLD, 0);
    assertThat(hidden(out, "sex", "M", "prevalence")).isTrue();
    assertThat(hidden(out, "sex", "F", "n")).isTrue();
    assertThat(hidden(out, "payer", "Medicaid", "n")).isTrue();
    assertThat(hidden(out, "payer", "Uninsured", "n")).isTrue();
    assertThat(hidden(out, "payer", "Commercial", "n")).isTrue();
    assertThat(hidden(out, "site", "S1", "n")).isTrue();
    assertThat(hidden(out, "overall", "all", "n")).isFalse();
    // Every shown count is 0 or at least the threshold.
    assertThat(out).filteredOn(r -> r.metric().equals("n") && !r.suppressed())
        .allMatch(r -> r.value() >= THRESHOLD);
  }

  @Test
  void twoWithheldMembersWhoseSumIsNotSmallNeedNoComplement() {
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, cells(1000, 300, 150, 100));
    // AIAN and NHPI each have under 11 events; together 16 events and 24 non-events, which is
    // all that overall minus White and Black gives back. White and Black stay shown.
    cells.put(new SliceKey("race", "AIAN"), cells(20, 7, 3, 2));
    cells.put(new SliceKey("race", "NHPI"), cells(20, 9, 4, 2));
    cells.put(new SliceKey("race", "Black"), cells(300, 90, 43, 30));
    cells.put(new SliceKey("race", "White"), cells(660, 194, 100, 66));
    List<MetricRow> out = SmallCells.suppress(rows(cells), cells, THRESHOLD, 100);
    assertThat(hidden(out, "race", "AIAN", "n")).isTrue();
    assertThat(hidden(out, "race", "NHPI", "n")).isTrue();
    assertThat(hidden(out, "race", "Black", "n")).isFalse();
    assertThat(hidden(out, "race", "White", "n")).isFalse();
  }

  @Test
  void theComplementIsAGroupTooSmallToJudgeBeforeALargerOne() {
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, cells(1000, 300, 150, 100));
    // At 0.5, AIAN's TP of 4 is small; overall minus the rest would give it back. Asian (80
    // persons, below the minimum group size of 100) goes with it rather than Black (300).
    cells.put(new SliceKey("race", "AIAN"), cells(60, 20, 4, 15));
    cells.put(new SliceKey("race", "Asian"), cells(80, 25, 12, 12));
    cells.put(new SliceKey("race", "Black"), cells(300, 90, 44, 30));
    cells.put(new SliceKey("race", "White"), cells(560, 165, 90, 43));
    List<MetricRow> out = SmallCells.suppress(rows(cells), cells, THRESHOLD, 100);
    assertThat(hidden(out, "race", "AIAN", "sensitivity")).isTrue();
    assertThat(hidden(out, "race", "Asian", "sensitivity")).isTrue();
    assertThat(hidden(out, "race", "Black", "sensitivity")).isFalse();
    assertThat(hidden(out, "race", "White", "sensitivity")).isFalse();
  }

  @Test
  void aSmallConfusionCellWithholdsThatThresholdOnly() {
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, cells(400, 200, 100, 50));
    // FP = 4 at 0.5 in A: A's rows at 0.5 go, and B's with them (B = overall - A at 0.5).
    cells.put(new SliceKey("group", "A"), cells(200, 100, 50, 4));
    cells.put(new SliceKey("group", "B"), cells(200, 100, 50, 46));
    List<MetricRow> out = SmallCells.suppress(rows(cells), cells, THRESHOLD, 0);
    assertThat(hidden(out, "group", "A", "sensitivity")).isTrue();
    assertThat(hidden(out, "group", "B", "sensitivity")).isTrue();
    assertThat(hidden(out, "group", "A", "n")).isFalse();
    assertThat(hidden(out, "overall", "all", "sensitivity")).isFalse();
  }

  @Test
  void intersectionMarginsAreCompleted() {
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, cells(400, 200, 100, 50));
    cells.put(new SliceKey("race x sex", "Black x F"), cells(100, 50, 25, 25));
    cells.put(new SliceKey("race x sex", "Black x M"), cells(100, 5, 2, 20));
    cells.put(new SliceKey("race x sex", "White x F"), cells(100, 50, 25, 25));
    cells.put(new SliceKey("race x sex", "White x M"), cells(100, 50, 25, 25));
    List<MetricRow> out = SmallCells.suppress(rows(cells), cells, THRESHOLD, 0);
    // Black x M is small; Black x F (same race) and White x M (same sex) complete the margins,
    // then White x F completes the rest.
    assertThat(hidden(out, "race x sex", "Black x M", "n")).isTrue();
    assertThat(hidden(out, "race x sex", "Black x F", "n")).isTrue();
    assertThat(hidden(out, "race x sex", "White x M", "n")).isTrue();
  }

  @Test
  void neighbouringThresholdsThatWouldRevealASmallCountAreWithheld() {
    // 400 patients, 100 events. Between 0.10 and 0.11 only 5 events and 3 non-events cross the
    // threshold: net benefit at both would give those counts. 0.12 differs from 0.10 (the last
    // shown) by 20 and 30, so it is shown again.
    Map<Double, long[]> confusion = Map.of(
        0.10, new long[] {80, 150, 20, 150},
        0.11, new long[] {75, 147, 25, 153},
        0.12, new long[] {60, 120, 40, 180});
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, new CellCounts(400, 100, confusion));
    List<MetricRow> rows = new ArrayList<>();
    for (double t : List.of(0.10, 0.11, 0.12)) {
      rows.add(MetricRow.at(SliceKey.OVERALL_SLICE, "net_benefit", null, t, 0.1));
    }
    List<MetricRow> out = SmallCells.suppress(rows, cells, THRESHOLD, 0);
    assertThat(out).extracting(MetricRow::suppressed).containsExactly(false, true, false);
  }

  @Test
  void anOperatingPointIsNeverWithheldForADecisionCurvePointBesideIt() {
    // The operating point at 0.105 sits 2 events and 1 non-event above the grid point 0.11 and
    // 3 and 2 below 0.10. It is shown; both grid points beside it give way, 0.12 stays.
    Map<Double, long[]> confusion = Map.of(
        0.10, new long[] {80, 150, 20, 150},
        0.105, new long[] {77, 148, 23, 152},
        0.11, new long[] {75, 147, 25, 153},
        0.12, new long[] {60, 120, 40, 180});
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, new CellCounts(400, 100, confusion));
    List<MetricRow> rows = new ArrayList<>();
    for (double t : List.of(0.10, 0.11, 0.12)) {
      rows.add(MetricRow.at(SliceKey.OVERALL_SLICE, "net_benefit", null, t, 0.1));
    }
    rows.add(MetricRow.at(SliceKey.OVERALL_SLICE, "sensitivity", "top 5%", 0.105, 0.77));
    List<MetricRow> out = SmallCells.suppress(rows, cells, THRESHOLD, 0);
    assertThat(out).extracting(MetricRow::suppressed).containsExactly(true, true, false, false);
  }

  @Test
  void operatingPointsCloseToEachOtherAreWithheldTheLowerShown() {
    // Two operating points 4 events apart: the lower one (walked first) is shown, the upper one
    // would give the 4 events between them, so it is withheld.
    Map<Double, long[]> confusion = Map.of(
        0.2, new long[] {60, 40, 40, 260},
        0.3, new long[] {56, 20, 44, 280});
    Map<SliceKey, CellCounts> cells = new TreeMap<>();
    cells.put(SliceKey.OVERALL_SLICE, new CellCounts(400, 100, confusion));
    List<MetricRow> rows = List.of(
        MetricRow.at(SliceKey.OVERALL_SLICE, "sensitivity", "top 25%", 0.2, 0.6),
        MetricRow.at(SliceKey.OVERALL_SLICE, "sensitivity", "top 19%", 0.3, 0.56));
    assertThat(SmallCells.suppress(rows, cells, THRESHOLD, 0)).extracting(MetricRow::suppressed)
        .containsExactly(false, true);
  }
}
