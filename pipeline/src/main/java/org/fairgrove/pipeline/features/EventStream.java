package org.fairgrove.pipeline.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Table;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * Every silver event table as one stream of (person_id, domain, concept_id, event_date, value,
 * source_value, unit), so features are computed in one pass however many domains and windows.
 */
final class EventStream {
  /** A feature domain and where its events come from. */
  enum Domain {
    CONDITION("condition", Tables.SILVER_CONDITION, "condition_concept_id",
        "condition_start_date", null, "condition_source_value", null),
    DRUG("drug", Tables.SILVER_DRUG, "drug_concept_id", "drug_exposure_start_date", null,
        "drug_source_value", null),
    PROCEDURE("procedure", Tables.SILVER_PROCEDURE, "procedure_concept_id", "procedure_date",
        null, "procedure_source_value", null),
    MEASUREMENT("measurement", Tables.SILVER_MEASUREMENT, "measurement_concept_id",
        "measurement_date", "value_as_number", "measurement_source_value", "unit_source_value"),
    OBSERVATION("observation", Tables.SILVER_OBSERVATION, "observation_concept_id",
        "observation_date", null, "observation_source_value", null),
    VISIT("visit", Tables.SILVER_VISIT, "visit_concept_id", "visit_start_date", null,
        "visit_source_value", null);

    final String label;
    final Table table;
    private final String concept;
    private final String date;
    private final String value;
    private final String source;
    private final String unit;

    Domain(String label, Table table, String concept, String date, String value, String source,
        String unit) {
      this.label = label;
      this.table = table;
      this.concept = concept;
      this.date = date;
      this.value = value;
      this.source = source;
      this.unit = unit;
    }

    static Domain of(String label) {
      for (Domain domain : values()) {
        if (domain.label.equals(label)) {
          return domain;
        }
      }
      throw new IllegalArgumentException("Unknown feature domain " + label);
    }

    /** Counts and presence per concept; measurements add value statistics. */
    boolean hasValues() {
      return value != null;
    }
  }

  private EventStream() {}

  /** The events of the configured domains whose tables exist. */
  static Dataset<Row> read(Lakehouse lakehouse, List<String> domains) {
    Dataset<Row> events = null;
    for (String label : domains) {
      Domain domain = Domain.of(label);
      if (!lakehouse.exists(domain.table)) {
        continue;
      }
      Dataset<Row> table = lakehouse.read(domain.table).select(
          col("person_id"),
          lit(domain.label).as("domain"),
          col(domain.concept).as("concept_id"),
          col(domain.date).as("event_date"),
          orNull(domain.value, DataTypes.DoubleType).as("value"),
          orNull(domain.source, DataTypes.StringType).as("source_value"),
          orNull(domain.unit, DataTypes.StringType).as("unit"));
      events = events == null ? table : events.unionAll(table);
    }
    return events;
  }

  private static Column orNull(String column, org.apache.spark.sql.types.DataType type) {
    return column == null ? lit(null).cast(type) : col(column).cast(type);
  }
}
