package org.fairgrove.pipeline.config;

import java.util.Locale;

/**
 * How a task states its operating points (task.operating-points.kind). Selection rates and
 * sensitivities are turned into risk thresholds on the validation split and frozen with the
 * model; fixed risks are thresholds already.
 */
public enum OperatingPointKind implements Choice {
  /** A fixed risk: select every prediction at or above it. */
  RISK("risk") {
    @Override
    public String label(double value) {
      return String.format(Locale.ROOT, "risk %s", percent(value));
    }
  },
  /** Treat the highest-risk share of persons, e.g. 0.05 = the top 5%. */
  SELECTION_RATE("selection-rate") {
    @Override
    public String label(double value) {
      return "top " + percent(value);
    }
  },
  /** The threshold that catches this share of events on the validation split. */
  SENSITIVITY("sensitivity") {
    @Override
    public String label(double value) {
      return "sensitivity " + percent(value);
    }
  };

  private final String configName;

  OperatingPointKind(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** How an operating point of this kind reads in a report, e.g. "top 5%". */
  public abstract String label(double value);

  /** Whether the threshold is set on data (the validation split) rather than given. */
  public boolean setOnData() {
    return this != RISK;
  }

  static String percent(double value) {
    String text = String.format(Locale.ROOT, "%.4f", value * 100).replaceAll("0+$", "")
        .replaceAll("\\.$", "");
    return text + "%";
  }
}
