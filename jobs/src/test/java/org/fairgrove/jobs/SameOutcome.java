package org.fairgrove.jobs;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.StructField;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.fairgrove.pipeline.testing.SameRows;

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

  private static final TableId IMPORTANCE = TableId.of("registry", "feature_importance");
  private static final double SHARE_TOLERANCE = 1e-6;

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
      if (significantDigits > 0 && table.equals(IMPORTANCE)) {
        assertSameImportance(actual.read(table), expected.read(table));
        continue;
      }
      Dataset<Row> a = comparable(actual.read(table).drop(PER_RUN), significantDigits);
      Dataset<Row> b = comparable(expected.read(table).drop(PER_RUN), significantDigits);
      if (table.equals(TableId.of("ops", "nightly_runs"))) {
        // A resumed run also recorded the stages its killed process completed first.
        a = a.filter(col("stage").equalTo("run"));
        b = b.filter(col("stage").equalTo("run"));
      }
      SameRows.assertSame(table.toString(), a, b);
    }
    List<Row> expectedAurocs = aurocs(expected, "true");
    List<Row> actualAurocs = aurocs(actual, "true");
    assertThat(actualAurocs).hasSameSizeAs(expectedAurocs);
    for (int i = 0; i < expectedAurocs.size(); i++) {
      assertThat(actualAurocs.get(i).getString(0)).isEqualTo(expectedAurocs.get(i).getString(0));
      for (int split = 1; split < expectedAurocs.get(i).size(); split++) {
        assertThat(actualAurocs.get(i).getDouble(split)).as(actualAurocs.get(i).getString(0))
            .isCloseTo(expectedAurocs.get(i).getDouble(split), within(1e-9));
      }
    }
  }

  /**
   * The id of each registered model that meets the SQL condition, with its AUROCs on the train,
   * validation and test splits, by id.
   */
  static List<Row> aurocs(Lakehouse lakehouse, String modelCondition) {
    return lakehouse.read(TableId.of("registry", "models")).filter(modelCondition)
        .selectExpr("model_id",
            "CAST(get_json_object(metrics, '$.auroc.train') AS DOUBLE)",
            "CAST(get_json_object(metrics, '$.auroc.validation') AS DOUBLE)",
            "CAST(get_json_object(metrics, '$.auroc.test') AS DOUBLE)")
        .orderBy("model_id").collectAsList();
  }

  /**
   * Each model's share of gain per feature slot, to {@value #SHARE_TOLERANCE} of the model's
   * gain (a slot absent on one side counts as 0). A split's gain is its node's impurity less its
   * children's, nearly equal sums: the last bits by which sums added in another order differ
   * become relative differences of about 1e-6 in a small gain (MLlib's trees), far beyond the
   * digits the other doubles keep.
   */
  private static void assertSameImportance(Dataset<Row> actual, Dataset<Row> expected) {
    Dataset<Row> a = actual.select("model_id", "slot", "share");
    Dataset<Row> b = expected.select(col("model_id").as("expected_model_id"),
        col("slot").as("expected_slot"), col("share").as("expected_share"));
    Dataset<Row> differences = a.join(b, a.col("model_id").equalTo(b.col("expected_model_id"))
            .and(a.col("slot").equalTo(b.col("expected_slot"))), "full_outer")
        .withColumn("difference", abs(coalesce(col("share"), lit(0.0))
            .minus(coalesce(col("expected_share"), lit(0.0)))))
        .filter(col("difference").gt(SHARE_TOLERANCE));
    assertThat(differences.count()).as(() -> IMPORTANCE + ", slots such as "
        + differences.limit(3).collectAsList()).isZero();
  }

  /** Doubles rounded to the significant digits, if asked. */
  private static Dataset<Row> comparable(Dataset<Row> rows, int significantDigits) {
    for (StructField field : rows.schema().fields()) {
      if (field.dataType() instanceof DoubleType && significantDigits > 0) {
        rows = rows.withColumn(field.name(),
            format_string("%." + (significantDigits - 1) + "e", col(field.name())));
      }
    }
    return rows;
  }
}
