package org.fairgrove.pipeline.validate;

import java.util.List;

/**
 * The policy's verdict on one slice.
 *
 * @param status {@link #PASS}, {@link #FLAG} or {@link #INSUFFICIENT_DATA}
 * @param reasons the checks that failed, as codes (e.g. "auroc_gap",
 *     "demographic_parity@0.2"); the values are in the metric rows
 * @param minimumDetectableAurocGap the smallest AUROC gap against the reference that a two-sided
 *     5% test would detect with 80% power at this slice's size (see {@link Policy})
 */
public record SliceVerdict(SliceKey slice, String reference, String status, List<String> reasons,
    double minimumDetectableAurocGap) {
  public static final String PASS = "pass";
  public static final String FLAG = "flag";
  public static final String INSUFFICIENT_DATA = "insufficient_data";
}
