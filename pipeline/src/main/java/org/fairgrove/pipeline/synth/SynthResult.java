package org.fairgrove.pipeline.synth;

import java.util.Map;

/**
 * What a synth run produced.
 *
 * @param rowsPerTable source rows written per OMOP table, in write order
 * @param reused true when an identical population was already in place and nothing was written
 */
public record SynthResult(long persons, Map<String, Long> rowsPerTable, double seconds,
    boolean reused) {}
