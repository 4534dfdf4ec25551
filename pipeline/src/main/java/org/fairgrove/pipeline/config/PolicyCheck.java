package org.fairgrove.pipeline.config;

/**
 * What the governance policy judges (governance.checks). Discrimination and calibration are
 * judged within each group; the parity checks compare rates at the operating points with the
 * reference group's.
 */
public enum PolicyCheck implements Choice {
  /** AUROC more than governance.max-auroc-gap below the reference group's. */
  AUROC_GAP("auroc_gap"),
  /** Calibration slope outside governance.calibration-slope. */
  CALIBRATION_SLOPE("calibration_slope"),
  /** Observed/expected events outside governance.oe-ratio. */
  OE_RATIO("oe_ratio"),
  /** Selection rate ratio to the reference outside governance.parity-ratio. */
  DEMOGRAPHIC_PARITY("demographic_parity"),
  /** True positive rate ratio to the reference outside governance.parity-ratio. */
  EQUAL_OPPORTUNITY("equal_opportunity"),
  /** PPV ratio to the reference outside governance.parity-ratio. */
  PREDICTIVE_PARITY("predictive_parity"),
  /** False positive rate ratio to the reference outside governance.parity-ratio. */
  FPR_PARITY("fpr_parity"),
  /** The smaller of the TPR and FPR ratios (min/max) below governance.parity-ratio.min. */
  EQUALIZED_ODDS("equalized_odds");

  private final String configName;

  PolicyCheck(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Judged against the reference group (false: against absolute limits, every slice). */
  public boolean againstReference() {
    return this != CALIBRATION_SLOPE && this != OE_RATIO;
  }

  /** Judged at each operating point. */
  public boolean atOperatingPoints() {
    return againstReference() && this != AUROC_GAP;
  }
}
