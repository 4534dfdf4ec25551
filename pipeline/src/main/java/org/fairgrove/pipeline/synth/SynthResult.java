package org.fairgrove.pipeline.synth;

import java.util.Map;

/**
 * What a synth run produced.
 *
 * @param rowsPerTable rows written per OMOP table (source files, or silver when written straight
 *     there), in write order
 * @param reused true when an identical population was already in place and nothing was written
 */
public record SynthResult(long persons, Map<String, Long> rowsPerTable, double seconds,
    boolean reused) {

  /** Rows written over every table. */
  public long totalRows() {
    return rowsPerTable.values().stream().mapToLong(Long::longValue).sum();
  }
}
