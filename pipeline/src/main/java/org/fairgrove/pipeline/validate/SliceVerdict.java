package org.fairgrove.pipeline.validate;

import java.util.List;

/**
 * The policy's verdict on one slice: the worst verdict of its checks (insufficient data when the
 * slice is too small for the policy).
 *
 * @param reference the reference group's label, null for the overall slice
 * @param findings the check rows behind a flag or review (estimate, CI, adjusted p)
 * @param minimumDetectableAurocGap the smallest AUROC gap against the reference that a two-sided
 *     5% test would detect with 80% power at this slice's size (NaN for the overall slice)
 */
public record SliceVerdict(SliceKey slice, String reference, Verdict status,
    List<MetricRow> findings, double minimumDetectableAurocGap) {}
