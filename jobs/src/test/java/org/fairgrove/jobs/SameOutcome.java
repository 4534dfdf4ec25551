package org.fairgrove.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.to_json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;

/** Two lakehouses that ran the same stages on the same data hold the same outcome. */
final class SameOutcome {
  /**
   * What differs by design: run ids, times, per-run merge counts, the paths under each working
   * folder and the Delta versions read (a killed write may have committed).
   */
  private static final String[] PER_RUN = {"scored_at", "registered_at", "promoted_at",
      "training_seconds", "decision_id", "decided_at", "run_id", "ingested_at", "validated_at",
      "built_at", "rows_inserted", "rows_updated", "model_path", "config_hash", "input_versions",
      "started_at", "ended_at", "pid", "inputs", "outputs", "summary",
      // MLlib's AUROC evaluator sums in partition order: equal to the last bits only.
      "metrics", "search_trace"};

  private SameOutcome() {}

  /** Every table equal (ops.nightly_runs: the run rows only), the models' AUROCs to 1e-9. */
  static void assertSameOutcome(Lakehouse actual, Lakehouse expected) {
    assertSameOutcome(actual, expected, 0);
  }

  /**
   * The same, with every double column compared to this many significant digits (0: exactly):
   * for runs whose aggregates add partial sums in another order (shuffle blocks fetched from
   * other executors arrive in any order), equal but for the last bits.
   */
  static void assertSameOutcome(Lakehouse actual, Lakehouse expected, int significantDigits) {
    List<TableId> tables = expected.tables();
    assertThat(actual.tables()).containsExactlyElementsOf(tables);
    assertThat(tables).contains(TableId.of("silver", "person"), TableId.of("gold", "features"),
        TableId.of("registry", "models"), TableId.of("ops", "promotion_decisions"));
    for (TableId table : tables) {
      Dataset<Row> a = comparable(actual.read(table).drop(PER_RUN), significantDigits);
      Dataset<Row> b = comparable(expected.read(table).drop(PER_RUN), significantDigits);
      if (table.equals(TableId.of("ops", "nightly_runs"))) {
        // A resumed run also recorded the stages its killed process completed first.
        a = a.filter(col("stage").equalTo("run"));
        b = b.filter(col("stage").equalTo("run"));
      }
      assertThat(a.count()).as(table.toString()).isEqualTo(b.count());
      assertThat(a.exceptAll(b).count()).as(table.toString()).isZero();
    }
    List<Row> expectedAurocs = aurocs(expected);
    List<Row> actualAurocs = aurocs(actual);
    assertThat(actualAurocs).hasSameSizeAs(expectedAurocs);
    for (int i = 0; i < expectedAurocs.size(); i++) {
      assertThat(actualAurocs.get(i).getString(0)).isEqualTo(expectedAurocs.get(i).getString(0));
      for (int split = 1; split < expectedAurocs.get(i).size(); split++) {
        assertThat(actualAurocs.get(i).getDouble(split)).as(actualAurocs.get(i).getString(0))
            .isCloseTo(expectedAurocs.get(i).getDouble(split), within(1e-9));
      }
    }
  }

  /** Each model's id and its AUROC on the test and validation splits. */
  private static List<Row> aurocs(Lakehouse lakehouse) {
    return lakehouse.read(TableId.of("registry", "models")).selectExpr("model_id",
        "CAST(get_json_object(metrics, '$.auroc.test') AS DOUBLE)",
        "CAST(get_json_object(metrics, '$.auroc.validation') AS DOUBLE)")
        .orderBy("model_id").collectAsList();
  }

  /** Map columns as JSON (set operations cannot compare maps), doubles rounded if asked. */
  private static Dataset<Row> comparable(Dataset<Row> rows, int significantDigits) {
    for (StructField field : rows.schema().fields()) {
      if (field.dataType() instanceof MapType) {
        rows = rows.withColumn(field.name(), to_json(col(field.name())));
      } else if (field.dataType() instanceof DoubleType && significantDigits > 0) {
        rows = rows.withColumn(field.name(),
            format_string("%." + (significantDigits - 1) + "e", col(field.name())));
      }
    }
    return rows;
  }
}
