package org.fairgrove.pipeline.config;

/**
 * Keys under {@code governance.gate}: how a challenger is compared with the champion before it
 * may replace it (the comparison itself is in the gate package).
 *
 * @param aurocMargin how much lower a slice's AUROC may be than the champion's
 * @param calibrationMargin how much further from 1 (on the log scale) a slice's calibration
 *     slope or O/E, or a parity ratio, may move when the challenger's value is not within policy
 * @param fairnessMargin how much a group's AUROC gap to its reference may widen
 * @param insufficientEvidence what a slice too small to tell does to the decision
 */
public record GateSettings(double aurocMargin, double calibrationMargin, double fairnessMargin,
    InsufficientEvidence insufficientEvidence) {

  /** What a comparison that cannot tell (too few events) does to the decision. */
  public enum InsufficientEvidence implements Choice {
    /** Blocks promotion. */
    BLOCK("block"),
    /** Passes, with a note in the decision. */
    NOTE("note"),
    /**
     * Blocks when the slice was large enough to hold the champion to the margin (its own AUROC
     * CI could detect a shortfall of the margin); passes with a note otherwise.
     */
    BLOCK_WHEN_CHAMPION_POWERED("block-when-champion-powered");

    private final String configName;

    InsufficientEvidence(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  static GateSettings read(ConfigReader c) {
    return new GateSettings(
        c.doubleIn("governance.gate.auroc-margin", 0.0, 0.5),
        c.doubleIn("governance.gate.calibration-margin", 0.0, 2.0),
        c.doubleIn("governance.gate.fairness-margin", 0.0, 0.5),
        c.choice("governance.gate.insufficient-evidence", InsufficientEvidence.class));
  }
}
