package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * The ops tables of ingest (contracts in schemas/ops). Each write replaces the batch's rows in
 * one Delta transaction, so writing the same batch again leaves the same content.
 */
final class OpsTables {
  private final Lakehouse lakehouse;

  OpsTables(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /** The summary of a batch the log already holds, or empty if it was never completed. */
  Optional<IngestSummary> logged(String batchId, double seconds) {
    if (!lakehouse.exists(Tables.OPS_INGEST_LOG)) {
      return Optional.empty();
    }
    // One row per table of one batch: small enough for the driver.
    List<Row> rows = read(Tables.OPS_INGEST_LOG, batchId).orderBy("ingested_at")
        .collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    List<IngestSummary.TableCounts> tables = new ArrayList<>();
    for (Row r : rows) {
      tables.add(new IngestSummary.TableCounts(r.getAs("table_name"), r.getAs("status"),
          r.getAs("rows_read"), r.getAs("rows_accepted"), r.getAs("rows_quarantined"),
          r.getAs("rows_duplicate"), 0, 0, r.getList(r.fieldIndex("columns_dropped")),
          r.getAs("identifiers_redacted"),
          r.isNullAt(r.fieldIndex("values_withheld")) ? 0L : r.getAs("values_withheld")));
    }
    List<IngestSummary.Flag> flags = new ArrayList<>();
    if (lakehouse.exists(Tables.OPS_DQ_RESULTS)) {
      for (Row r : read(Tables.OPS_DQ_RESULTS, batchId).where(col("passed").equalTo(false))
          .collectAsList()) {
        flags.add(new IngestSummary.Flag(r.getAs("table_name"), r.getAs("check_name"),
            r.getAs("severity"), r.getAs("rows_failed"), r.getAs("rows_checked")));
      }
    }
    Row first = rows.get(0);
    return Optional.of(new IngestSummary(batchId, first.getAs("site_id"),
        first.getAs("source_format"), true, tables, flags, seconds));
  }

  /**
   * The tables whose rows of the site reached silver in a logged batch: a merge into one of them
   * need not first look for rows of the site (a query per table). Ingest never deletes a silver
   * row, and were one gone, the merge would still insert it.
   */
  Set<String> tablesWithRows(String siteId) {
    if (!lakehouse.exists(Tables.OPS_INGEST_LOG)) {
      return Set.of();
    }
    // One row per source table: small enough for the driver.
    return lakehouse.read(Tables.OPS_INGEST_LOG)
        .where(col("site_id").equalTo(siteId).and(col("rows_accepted").gt(0)))
        .select("table_name").distinct().collectAsList().stream()
        .map(row -> row.getString(0)).collect(Collectors.toSet());
  }

  void writeLog(String batchId, String siteId, String sourceFormat,
      List<IngestSummary.TableCounts> tables) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (IngestSummary.TableCounts t : tables) {
      rows.add(RowFactory.create(batchId, siteId, sourceFormat, t.table(), t.status(),
          t.rowsRead(), t.rowsAccepted(), t.rowsQuarantined(), t.rowsDuplicate(),
          t.rowsInserted(), t.rowsUpdated(), t.columnsDropped(), t.identifiersRedacted(),
          t.valuesWithheld(), now));
    }
    lakehouse.write(Tables.OPS_INGEST_LOG, rows, batchId);
  }

  void writeDataQuality(String batchId, String siteId, List<DataQuality.Result> results) {
    List<Row> rows = new ArrayList<>();
    for (DataQuality.Result r : results) {
      rows.add(RowFactory.create(batchId, siteId, r.table(), r.check(), r.category(),
          r.severity(), r.description(), r.rowsChecked(), r.rowsFailed(), r.failedShare(),
          r.threshold(), r.passed()));
    }
    lakehouse.write(Tables.OPS_DQ_RESULTS, rows, batchId);
  }

  void writeQuarantine(String batchId, Dataset<Row> quarantined) {
    lakehouse.write(Tables.OPS_QUARANTINE, quarantined, batchId);
  }

  private Dataset<Row> read(Table table, String batchId) {
    return lakehouse.read(table).where(col("batch_id").equalTo(batchId));
  }

}
