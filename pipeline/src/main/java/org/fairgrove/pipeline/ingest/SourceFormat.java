package org.fairgrove.pipeline.ingest;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fairgrove.pipeline.core.Errors;

/**
 * A kind of source batch: which files it has, how they are read, and how they become rows of
 * the OMOP tables. Ingest asks nothing else of a format, so a new one is one more implementation
 * in {@link #ALL}.
 */
public interface SourceFormat {
  /** Every format, by the name --source-format takes. */
  List<SourceFormat> ALL = List.of(OmopFiles.CSV, OmopFiles.PARQUET, SyntheaCsv.FORMAT,
      FhirNdjson.FORMAT);

  /** The format a name stands for, or a clear error listing the names. */
  static SourceFormat named(String name) {
    return ALL.stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> Errors.unknownSourceFormat(name,
            ALL.stream().map(SourceFormat::name).toList()));
  }

  /** What --source-format calls it, e.g. "omop-csv". */
  String name();

  /** How its files are read (and the extension they have). */
  SourceFiles.Kind fileKind();

  /** Whether the format maps the file table (its folder or file name) to an OMOP table. */
  boolean uses(String fileTable);

  /**
   * The columns a file must have, by the table it is for (its folder or file name); empty when
   * the format does not use the file.
   */
  List<String> requiredColumns(String fileTable);

  /** What becomes of a file the format does not map to any OMOP table. */
  Unused unused();

  /** Whether the batch has what the OMOP table is made from. */
  boolean provides(SourceTable table, SourceBatch batch);

  /**
   * The table's rows in OMOP shape: every OMOP column the format gives, as a string, with the
   * lineage of the source row each came from ({@link SourceFiles#LINEAGE}).
   */
  Dataset<Row> rows(SourceTable table, SourceBatch batch);

  /** The OMOP columns {@link #rows} gives for the table. */
  List<String> columns(SourceTable table, SourceBatch batch);

  /** Source columns of the table's files that never reach a table (counted, never read on). */
  List<String> droppedColumns(SourceTable table, SourceBatch batch);

  /**
   * Whether a row whose person is neither in the batch nor in silver is quarantined
   * (unknown_person) rather than counted by a data quality warning: a format whose records
   * point at their patient by reference (FHIR) has a broken reference there.
   */
  default boolean refusesUnknownPersons() {
    return false;
  }

  /** What becomes of files a format cannot map. */
  enum Unused {
    /** Listed as not_mapped and left unread (a format's files Fairgrove does not use). */
    NOT_MAPPED,
    /** Read, counted and quarantined as unknown_table (a file that should not be there). */
    QUARANTINED
  }
}
