package org.fairgrove.pipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * OMOP CDM v5.4 tables as files, one folder or file per table (DIR/&lt;table&gt;/part-*.EXT or
 * DIR/&lt;table&gt;.EXT), in CSV with a header row or in Parquet. A table's rows are its file's
 * rows; a file for a table Fairgrove does not know is read and quarantined.
 */
final class OmopFiles implements SourceFormat {
  static final OmopFiles CSV = new OmopFiles(IngestRequest.OMOP_CSV, SourceFiles.Kind.CSV);
  static final OmopFiles PARQUET = new OmopFiles(IngestRequest.OMOP_PARQUET, SourceFiles.Kind.PARQUET);

  private final String name;
  private final SourceFiles.Kind kind;

  private OmopFiles(String name, SourceFiles.Kind kind) {
    this.name = name;
    this.kind = kind;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceFiles.Kind fileKind() {
    return kind;
  }

  @Override
  public boolean uses(String fileTable) {
    return SourceTable.byName(fileTable).isPresent();
  }

  /** The silver contract's required columns are the ones an OMOP source file must have. */
  @Override
  public List<String> requiredColumns(String fileTable) {
    List<String> required = new ArrayList<>();
    SourceTable.byName(fileTable).ifPresent(table -> {
      for (StructField field : table.silverSchema().fields()) {
        if (!field.nullable() && !SourceTable.LINEAGE.contains(field.name())) {
          required.add(field.name());
        }
      }
    });
    return required;
  }

  @Override
  public Unused unused() {
    return Unused.QUARANTINED;
  }

  @Override
  public boolean provides(SourceTable table, SourceBatch batch) {
    return batch.has(table.table());
  }

  @Override
  public Dataset<Row> rows(SourceTable table, SourceBatch batch) {
    return batch.rows(table.table());
  }

  @Override
  public List<String> columns(SourceTable table, SourceBatch batch) {
    return batch.columns(table.table());
  }

  @Override
  public List<String> droppedColumns(SourceTable table, SourceBatch batch) {
    List<String> contract = List.of(table.silverSchema().fieldNames());
    return batch.columns(table.table()).stream().filter(c -> !contract.contains(c)).toList();
  }

  @Override
  public String toString() {
    return name;
  }
}
