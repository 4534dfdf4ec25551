package org.fairgrove.pipeline.validate;

/** What the governance policy concludes about a check, a slice or a whole report. */
public enum Verdict {
  /** The 95% CI lies within the policy limits. */
  PASS("pass"),
  /** Too small to tell: the slice is below the policy's size, or its CI reaches past a limit. */
  INSUFFICIENT_DATA("insufficient_data"),
  /** The estimate is beyond a limit, but its CI still reaches acceptable values. */
  REVIEW("review"),
  /** The evidence says a limit is exceeded (Holm-adjusted one-sided test). */
  FLAG("flag");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** The verdict as written in tables and report.json. */
  public String label() {
    return label;
  }

  /** The more serious of two verdicts (declaration order: pass < insufficient < review < flag). */
  public Verdict worse(Verdict other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  public static Verdict of(String label) {
    for (Verdict v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown verdict " + label);
  }
}
