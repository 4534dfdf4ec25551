package org.fairgrove.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SetViewTest {
  private static final String S = ReportView.SUPPRESSED;

  @Test
  void pointRowsWithEveryValueWithheldFoldIntoOneLinePerSlice() {
    List<List<String>> rows = List.of(
        List.of("overall", "top 1%", "0.120", "0.990", "0.310", "0.010", "", "", "", "", ""),
        List.of("sex: F", "top 1%", S, S, S, S, S, S, S, S, S),
        List.of("sex: F", "top 5%", "0.300", S, "0.200", "0.050", S, S, S, S, S),
        List.of("sex: F", "top 10%", S, S, S, S, S, S, S, S, S),
        // The reference group has no parity ratios of its own: blanks, not values.
        List.of("sex: M", "top 1%", S, S, S, S, "", "", "", "", ""));

    assertThat(rows).filteredOn(SetView::allSuppressed).extracting(r -> r.get(0) + "@" + r.get(1))
        .containsExactly("sex: F@top 1%", "sex: F@top 10%", "sex: M@top 1%");
    assertThat(SetView.suppressedPoints(rows))
        .containsExactly("sex: F at top 1%, top 10%", "sex: M at top 1%");
  }

  @Test
  void aRowOfBlanksIsNotCalledSuppressed() {
    assertThat(SetView.allSuppressed(List.of("overall", "top 1%", "", "", ""))).isFalse();
    assertThat(SetView.suppressedPoints(List.of(List.of("overall", "top 1%", "0.1", S))))
        .isEmpty();
  }
}
