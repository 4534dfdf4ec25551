package org.fairgrove.pipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.query.TextTable;

/**
 * What one ingest did: per table, rows read = accepted + quarantined + duplicates, and what the
 * merge into silver changed; plus the data quality checks that did not pass.
 *
 * @param alreadyIngested the ingest log already had this batch, so nothing was changed
 */
public record IngestSummary(String batchId, String siteId, String sourceFormat,
    boolean alreadyIngested, List<TableCounts> tables, List<Flag> flags, double seconds) {

  public static final String INGESTED = "ingested";
  public static final String ABSENT = "absent";
  public static final String UNKNOWN_TABLE = "unknown_table";
  /** A Synthea file the mapping does not use: left in the source, not read. */
  public static final String NOT_MAPPED = "not_mapped";

  /** One table of the batch. {@code status}: ingested, absent, unknown_table or not_mapped. */
  public record TableCounts(String table, String status, long rowsRead, long rowsAccepted,
      long rowsQuarantined, long rowsDuplicate, long rowsInserted, long rowsUpdated,
      List<String> columnsDropped, long identifiersRedacted, long valuesWithheld) {
    /** The invariant every table satisfies. */
    public boolean reconciles() {
      return rowsRead == rowsAccepted + rowsQuarantined + rowsDuplicate;
    }

    /** These counts with what the merge into silver changed. */
    TableCounts merged(long inserted, long updated) {
      return new TableCounts(table, status, rowsRead, rowsAccepted, rowsQuarantined,
          rowsDuplicate, inserted, updated, columnsDropped, identifiersRedacted, valuesWithheld);
    }
  }

  /** A data quality check that did not pass. */
  public record Flag(String table, String check, String severity, long rowsFailed,
      long rowsChecked) {}

  /** The counts of the named table or source file; fails if the batch has none by that name. */
  public TableCounts table(String name) {
    return tables.stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("No table " + name + " in batch " + batchId));
  }

  public long rowsRead() {
    return tables.stream().mapToLong(TableCounts::rowsRead).sum();
  }

  public long rowsAccepted() {
    return tables.stream().mapToLong(TableCounts::rowsAccepted).sum();
  }

  public long rowsQuarantined() {
    return tables.stream().mapToLong(TableCounts::rowsQuarantined).sum();
  }

  public long rowsDuplicate() {
    return tables.stream().mapToLong(TableCounts::rowsDuplicate).sum();
  }

  /** A plain-text report: one line per table, then the checks that did not pass. */
  public String render() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "Ingest of batch %s from site %s (%s): %s in %.1f s%n", batchId, siteId, sourceFormat,
        alreadyIngested ? "already ingested, nothing changed" : "done", seconds));
    List<Row> rows = new ArrayList<>();
    for (TableCounts t : tables) {
      rows.add(RowFactory.create(t.table(), t.status(), t.rowsRead(), t.rowsAccepted(),
          t.rowsQuarantined(), t.rowsDuplicate(), t.rowsInserted(), t.rowsUpdated(),
          t.identifiersRedacted(), t.valuesWithheld(), String.join(" ", t.columnsDropped())));
    }
    rows.add(RowFactory.create("total", "", rowsRead(), rowsAccepted(), rowsQuarantined(),
        rowsDuplicate(), tables.stream().mapToLong(TableCounts::rowsInserted).sum(),
        tables.stream().mapToLong(TableCounts::rowsUpdated).sum(),
        tables.stream().mapToLong(TableCounts::identifiersRedacted).sum(),
        tables.stream().mapToLong(TableCounts::valuesWithheld).sum(), ""));
    out.append(TextTable.render(new String[] {"table", "status", "read", "accepted",
        "quarantined", "duplicates", "inserted", "updated", "redacted", "withheld",
        "columns dropped"},
        rows));
    if (flags.isEmpty()) {
      out.append("Data quality: every check passed (ops.dq_results).\n");
    } else {
      out.append("Data quality checks not passed (ops.dq_results):\n");
      for (Flag flag : flags) {
        out.append(String.format(Locale.ROOT, "  %-8s %s.%s: %s of %s rows%n", flag.severity(),
            flag.table(), flag.check(), Progress.count(flag.rowsFailed()),
            Progress.count(flag.rowsChecked())));
      }
    }
    out.append("Rows that were not accepted are in ops.quarantine (reason codes, no values)."
        + " redacted: identifier patterns replaced in free text; withheld: free text dropped"
        + " because its code is not allow-listed.\n");
    return out.toString();
  }
}
