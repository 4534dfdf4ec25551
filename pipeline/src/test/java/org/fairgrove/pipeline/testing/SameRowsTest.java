package org.fairgrove.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Multisets by hand: what differs, and by how many copies. */
@ExtendWith(SparkTestSession.class)
class SameRowsTest {
  private static final String COLUMNS = "code STRING, n INT, tags MAP<STRING, STRING>";
  private final SparkSession spark;

  SameRowsTest(SparkSession spark) {
    this.spark = spark;
  }

  private Dataset<Row> rows(Object[]... rows) {
    DeltaFixture fixture = DeltaFixture.table(spark, COLUMNS);
    for (Object[] row : rows) {
      fixture.row(row);
    }
    return fixture.dataset();
  }

  @Test
  void theSameRowsInAnotherOrderAreTheSame() {
    Object[] a = {"a", 1, Map.of("k", "v")};
    Object[] b = {"b", null, null};
    SameRows.assertSame("reordered", rows(a, b, a), rows(b, a, a));
    assertThat(SameRows.surplus(rows(a, b, a), rows(a, a, b)).count()).isZero();
  }

  @Test
  void aRowHeldMoreOftenOnOneSideIsReportedWithItsSurplus() {
    Object[] a = {"a", 1, Map.of("k", "v")};
    Object[] b = {"b", 2, Map.of("k", "v")};
    Object[] c = {"c", 3, null};
    // First: a a a b; second: a b b c. a: 3 - 1 = 2; b: 1 - 2 = -1; c: 0 - 1 = -1.
    List<Row> surplus = SameRows.surplus(rows(a, a, a, b), rows(a, b, b, c))
        .orderBy("code").collectAsList();
    assertThat(surplus).extracting(r -> r.getString(0) + r.getAs(SameRows.SURPLUS))
        .containsExactly("a2", "b-1", "c-1");
    assertThat(surplus.get(0).<String>getAs("tags")).isEqualTo("{\"k\":\"v\"}");
    assertThatThrownBy(() -> SameRows.assertSame("counted", rows(a, b), rows(a, b, b)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("counted");
  }
}
