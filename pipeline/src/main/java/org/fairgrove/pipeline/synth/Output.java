package org.fairgrove.pipeline.synth;

import org.fairgrove.pipeline.lakehouse.Schemas;
import org.apache.spark.sql.types.StructType;

/** Every table the generator writes, with its contract in schemas/. */
enum Output {
  PERSON("omop/person"),
  OBSERVATION_PERIOD("omop/observation_period"),
  PAYER_PLAN_PERIOD("omop/payer_plan_period"),
  VISIT_OCCURRENCE("omop/visit_occurrence"),
  CONDITION_OCCURRENCE("omop/condition_occurrence"),
  DRUG_EXPOSURE("omop/drug_exposure"),
  MEASUREMENT("omop/measurement"),
  DEATH("omop/death"),
  TRUTH_PERSON_ONSET("truth/person_onset"),
  TRUTH_PERSON_YEAR_RISK("truth/person_year_risk");

  final String schemaName;

  Output(String schemaName) {
    this.schemaName = schemaName;
  }

  /** The table name, e.g. "visit_occurrence". */
  String table() {
    return schemaName.substring(schemaName.indexOf('/') + 1);
  }

  boolean isSource() {
    return schemaName.startsWith("omop/");
  }

  StructType schema() {
    return Schemas.load(schemaName);
  }

  /** Receives the rows a simulated person produces; dates are epoch days (Integer). */
  interface Sink {
    boolean wants(Output table);

    void accept(Output table, Object... values);
  }
}
